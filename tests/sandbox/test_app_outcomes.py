"""The app's own calls and SMS through the sandbox: what each outcome leaves on the delivery."""

import pytest

from tests.helpers import code_of
from verification import services
from verification.contrib.sandbox.models import InboxEntry
from verification.models import Delivery

from .support import ANSWERED, HASH_ONLY, NO_ANSWER, SILENT, VOICEMAIL, finish


@pytest.fixture
def deliver(sandbox):
    """Start a verification by `channel` to `number`; its delivery once the sandbox is done."""

    def start(number, channel="call"):
        verification = services.verification_create(phone_number=number, channel=channel, locale="en-US")
        finish()
        return Delivery.objects.select_related("verification").get(verification=verification)

    return start


def hangup_of(delivery):
    return (delivery.hangup_cause_code, delivery.hangup_cause_name, delivery.hangup_source)


def test_answered_call_records_plivos_normal_hangup(deliver):
    delivery = deliver(ANSWERED)

    assert delivery.status == "completed"
    assert hangup_of(delivery) == ("4000", "Normal Hangup", "Answer XML")
    assert delivery.hangup_cause == "NORMAL_CLEARING"


def test_unanswered_call_records_plivos_ring_timeout(deliver):
    delivery = deliver(NO_ANSWER)

    assert delivery.status == "no_answer"
    assert hangup_of(delivery) == ("6010", "Ring Timeout Reached", "Plivo")


def test_voicemail_call_ends_as_no_answer_and_the_code_is_never_spoken(deliver):
    delivery = deliver(VOICEMAIL)

    assert (delivery.status, delivery.code_spoken_at) == ("no_answer", None)
    assert hangup_of(delivery) == ("4000", "Normal Hangup", "Answer XML")
    assert delivery.verification.status == "failed"  # a call-only verification has nothing left to try


def test_a_person_who_presses_only_hash_hears_the_code(deliver):
    # "Press any key" means any key: '#' too (the call's GetDigits has finishOnKey="none").
    delivery = deliver(HASH_ONLY)

    assert delivery.status == "completed"
    assert delivery.code_spoken_at is not None
    heard = InboxEntry.objects.get(pk=delivery.provider_id).text
    assert "Your OTP Site verification code is: " + ", ".join(code_of(delivery.verification)) in heard


def test_a_person_who_presses_only_hash_types_no_code_in_keypad_mode(deliver, settings):
    # Keypad mode keeps '#' as the key that ends the typed code: '#' alone is no code.
    settings.VERIFICATION_VOICE_MODE = "keypad"
    delivery = deliver(HASH_ONLY)

    assert (delivery.status, delivery.code_spoken_at) == ("no_answer", None)
    assert delivery.verification.failed_checks == 0


def test_silent_call_leaves_the_delivery_sent_and_the_verification_pending(deliver):
    delivery = deliver(SILENT)

    assert delivery.status == "sent"
    assert delivery.provider_id
    assert hangup_of(delivery) == ("", "", "")
    assert delivery.verification.status == "pending"


def test_silent_sms_leaves_the_delivery_sent(deliver):
    delivery = deliver(SILENT, channel="sms")

    assert delivery.status == "sent"
    assert delivery.verification.status == "pending"
