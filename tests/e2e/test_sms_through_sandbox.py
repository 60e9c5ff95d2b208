"""SMS through the real SDK and the sandbox, with signed status callbacks."""

import pytest

from tests.helpers import inbox
from verification import services
from verification.contrib.sandbox import simulator
from verification.contrib.sandbox.models import InboxEntry
from verification.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_delivered_sms_carries_the_code_and_the_webotp_line(live_site):
    verification = services.verification_create(phone_number="+14155550123", channel="sms")
    simulator.wait_until_idle(timeout=15)
    [sms] = inbox(live_site, "+14155550123")
    lines = sms["text"].splitlines()
    code = lines[-1].split("#")[1]
    host = live_site.url.split("//")[1].split(":")[0]
    assert lines[-1] == f"@{host} #{code}"
    assert lines[0] == f"OTP Site: your verification code is {code}. It expires in 10 minutes."
    assert (sms["channel"], sms["status"]) == ("sms", "delivered")
    assert Delivery.objects.get(verification=verification).status == "delivered"
    assert services.verification_check(verification_id=verification.id, code=code).valid


def test_an_undelivered_sms_fails_an_sms_only_verification(live_site):
    verification = services.verification_create(phone_number="+14155550199", channel="sms")
    simulator.wait_until_idle(timeout=15)
    verification.refresh_from_db()
    assert Delivery.objects.get(verification=verification).status == "undelivered"
    assert verification.status == "failed"


def test_the_code_sms_asks_plivo_to_keep_its_text_out_of_the_logs(live_site):
    # On the wire, as the sandbox's Message API received it from the SDK: log "false".
    verification = services.verification_create(phone_number="+14155550123", channel="sms")
    simulator.wait_until_idle(timeout=15)

    delivery = Delivery.objects.get(verification=verification)
    sms = InboxEntry.objects.get(pk=delivery.provider_id)
    assert sms.channel == "sms"
    assert sms.logged is False
