"""Signed callbacks cannot be replayed, and the code XML is served once, to a live call."""

import pytest
from django.urls import reverse

from tests.helpers import code_of, signed_post
from verification import services
from verification.conf import app_settings
from verification.signatures import sign_v3

pytestmark = pytest.mark.django_db

CALL = {"CallUUID": "call-uuid-1", "From": "14155550100", "To": "14155550123", "Direction": "outbound"}


@pytest.fixture
def verification():
    return services.verification_create(phone_number="+14155550123", channel="call")


@pytest.fixture
def code_url(verification):
    return reverse("plivo-voice-code", args=[verification.deliveries.get().id])


def test_the_same_signed_request_sent_twice_is_refused_the_second_time(client, verification, code_url):
    params = {**CALL, "Digits": "1"}
    headers = sign_v3(method="POST", url=app_settings.public_base_url + code_url, params=params, auth_token=app_settings.auth_token)
    first = client.post(code_url, params, headers=headers)
    again = client.post(code_url, params, headers=headers)
    assert first.status_code == 200 and ", ".join(code_of(verification)) in first.content.decode()
    assert again.status_code == 403
    assert code_of(verification) not in again.content.decode()


def test_the_code_is_read_once_per_call_however_often_its_url_is_asked(client, verification, code_url):
    code = code_of(verification)
    first = signed_post(client, code_url, {**CALL, "Digits": "1"})
    second = signed_post(client, code_url, {**CALL, "Digits": "1"})  # freshly signed, a new nonce
    assert ", ".join(code) in first.content.decode()
    assert second.status_code == 200
    assert ", ".join(code) not in second.content.decode()
    assert "<Hangup" in second.content.decode()


def test_a_call_that_has_ended_never_gets_the_code_even_while_the_verification_is_pending(client, clock):
    """An SMS still on its way keeps the verification pending; the ended call's code URL says nothing."""
    verification = services.verification_create(phone_number="+14155550123", channel="sms")
    clock.advance(31)  # past the resend cooldown
    services.verification_resend(verification_id=verification.id, channel="call")
    call = verification.deliveries.get(channel="call")
    signed_post(client, reverse("plivo-voice-hangup", args=[call.id]), {**CALL, "CallStatus": "busy", "HangupCause": "USER_BUSY"})
    verification.refresh_from_db()
    assert verification.status == "pending"
    late = signed_post(client, reverse("plivo-voice-code", args=[call.id]), {**CALL, "Digits": "1"})
    assert late.status_code == 200
    assert ", ".join(code_of(verification)) not in late.content.decode()
