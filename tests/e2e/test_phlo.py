"""VERIFICATION_PLIVO_API=phlo: deliveries run a PHLO through plivo.phlo.RestClient."""

import pytest

from tests.helpers import code_of, inbox, wait_for
from verification import services
from verification.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def phlo(settings):
    settings.VERIFICATION_PLIVO_API = "phlo"
    settings.PLIVO_PHLO_ID = "b6b8f1a4-otp-phlo"


@pytest.mark.parametrize(("channel", "status"), [("call", "completed"), ("sms", "delivered")])
def test_a_phlo_run_delivers_the_code_by_call_or_sms(live_site, channel, status):
    verification = services.verification_create(phone_number="+14155550123", channel=channel)
    code = code_of(verification)
    [entry] = inbox(live_site, "+14155550123")
    assert (entry["channel"], entry["status"]) == (channel, status)
    assert (", ".join(code) if channel == "call" else code) in entry["text"]
    assert Delivery.objects.get(verification=verification).status == "sent"


def test_a_phlo_run_refused_by_the_api_fails_the_delivery(live_site):
    verification = services.verification_create(phone_number="+14155550197", channel="call")
    delivery = Delivery.objects.get(verification=verification)
    assert (delivery.status, delivery.tries) == ("failed", 1)


def test_a_phlo_server_error_is_retried_then_fails(live_site, settings):
    settings.VERIFICATION_DELIVERY_MAX_RETRIES = 2
    verification = services.verification_create(phone_number="+14155550196", channel="call")
    # Each retry waits its backoff on a timer (eager mode), not in place.
    wait_for(lambda: Delivery.objects.get(verification=verification).status == "failed", message="retries spent")
    delivery = Delivery.objects.get(verification=verification)
    assert (delivery.status, delivery.tries) == ("failed", 3)
