"""A whole call: the real plivo SDK over HTTP to the sandbox, which calls our
answer and hangup URLs back, signed, like Plivo."""

import re

import pytest

from tests.helpers import inbox, wait_for
from verification import services
from verification.contrib.sandbox import simulator
from verification.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unpaced(settings):
    """Eager retries run back to back, not after their backoff: on a fast machine three tries
    fit inside one pacing slot, and the third would wait for its slot on a timer thread."""
    settings.VERIFICATION_CARRIER_CALLS_PER_SECOND = 0


def spoken_code(text):
    match = re.search(r"verification code is: (\d(?:, \d)*)", text)
    return match.group(1).replace(", ", "")


def test_an_answered_call_reads_the_code_twice_and_the_code_approves(live_site):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    simulator.wait_until_idle(timeout=15)
    [call] = inbox(live_site, "+14155550123")
    code = spoken_code(call["text"])
    digits = ", ".join(code)
    assert call["channel"] == "call"
    assert call["status"] == "completed"
    assert call["text"] == (
        "Hello, this is OTP Site. Press any key to hear your verification code. "
        f"Your OTP Site verification code is: {digits} "
        f"Once again, your code is: {digits} "
        "Goodbye."
    )
    delivery = Delivery.objects.get(verification=verification)
    assert delivery.status == "completed"
    assert delivery.provider_id
    result = services.verification_check(verification_id=verification.id, code=code)
    assert (result.valid, result.status) == (True, "approved")


def test_pressing_hash_to_hear_the_code_reads_the_code(live_site):
    # The sandbox's 94 presses only '#': "press any key" must take it, not end the input empty.
    verification = services.verification_create(phone_number="+14155550194", channel="call")
    simulator.wait_until_idle(timeout=15)
    [call] = inbox(live_site, "+14155550194")
    code = spoken_code(call["text"])
    assert call["text"].startswith("Hello, this is OTP Site. Press any key to hear your verification code. ")
    assert f"Once again, your code is: {', '.join(code)}" in call["text"]
    delivery = Delivery.objects.get(verification=verification)
    assert (delivery.status, delivery.code_spoken_at is not None) == ("completed", True)
    assert services.verification_check(verification_id=verification.id, code=code).valid


@pytest.mark.parametrize(
    ("number", "delivery_status", "error"),
    [
        ("+14155550199", "no_answer", ""),
        ("+14155550198", "busy", ""),
        ("+14155550197", "failed", "refused"),
        ("+14155550196", "failed", "Retries spent"),
    ],
)
def test_each_failure_outcome_fails_the_delivery_and_the_verification(live_site, unpaced, number, delivery_status, error):
    verification = services.verification_create(phone_number=number, channel="call")
    simulator.wait_until_idle(timeout=15)
    # A server error's retries wait their backoff on timers (eager mode): until the last.
    wait_for(lambda: Delivery.objects.get(verification=verification).is_final, message="its outcome")
    delivery = Delivery.objects.get(verification=verification)
    verification.refresh_from_db()
    assert delivery.status == delivery_status
    assert error in delivery.error
    assert verification.status == "failed"
    assert verification.code_encrypted is None


def test_the_api_rejection_is_not_retried(live_site):
    verification = services.verification_create(phone_number="+14155550197", channel="call")
    assert Delivery.objects.get(verification=verification).tries == 1


def test_a_server_error_is_retried_after_its_backoff_up_to_the_cap(live_site, unpaced, settings):
    """Eager mode (`make run`) too: each retry waits its backoff on a timer, not in place."""
    settings.VERIFICATION_DELIVERY_MAX_RETRIES = 2
    settings.VERIFICATION_DELIVERY_RETRY_BACKOFF_SECONDS = 1
    verification = services.verification_create(phone_number="+14155550196", channel="call")
    delivery = Delivery.objects.get(verification=verification)
    assert (delivery.tries, delivery.status) == (1, "queued")  # the first retry is a second away
    wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == "failed", timeout=20, message="retries spent")
    assert Delivery.objects.get(pk=delivery.pk).tries == 3


def test_the_inbox_lists_calls_newest_first(live_site, clock):
    services.verification_create(phone_number="+14155550123", channel="call")
    simulator.wait_until_idle(timeout=15)
    clock.advance(31)
    services.verification_create(phone_number="+14155550123", channel="call")
    simulator.wait_until_idle(timeout=15)
    calls = inbox(live_site, "+14155550123")
    assert len(calls) == 2
    assert calls[0]["created_at"] >= calls[1]["created_at"]
    # The first call was superseded before... no: both were answered in turn; the newer one is first.
    assert all(call["to"] == "+14155550123" for call in calls)
