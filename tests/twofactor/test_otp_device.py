"""PhoneVerificationDevice: django-otp's Device API over our verifications, limits and audit trail."""

import pytest
from django.contrib.auth.models import User
from django_otp import verify_token
from django_otp.models import GenerateNotAllowed, VerifyNotAllowed

from tests.helpers import code_of
from verification.contrib.otp.models import PhoneVerificationDevice
from verification.exceptions import ChannelNotAvailable, Throttled
from verification.models import AuditEvent, Status, VerificationAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def device():
    user = User.objects.create_user("alice", password="correct horse")
    return PhoneVerificationDevice.objects.create(user=user, name="phone", phone_number="+14155550123", channel="call")


def challenge(device):
    device.generate_challenge()
    return VerificationAttempt.objects.get(pk=device.verification_id)


def wrong(code):
    return "".join(str((int(digit) + 1) % 10) for digit in code)


def test_a_challenge_starts_a_verification_by_the_devices_channel(device):
    message = device.generate_challenge()
    verification = VerificationAttempt.objects.get(pk=device.verification_id)
    assert message == "We are calling your phone now."
    assert (str(verification.phone_number), verification.channel, verification.status) == (
        "+14155550123",
        "call",
        "pending",
    )
    created = AuditEvent.objects.get(verification=verification, event="created")
    assert (created.actor_type, created.actor) == ("user", "alice")


def test_the_right_token_verifies_once(device):
    code = code_of(challenge(device))
    assert verify_token(device.user, device.persistent_id, code) == device
    assert verify_token(device.user, device.persistent_id, code) is None
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_a_wrong_token_counts_against_our_limit_and_is_audited(device):
    verification = challenge(device)
    assert not device.verify_token(wrong(code_of(verification)))
    verification.refresh_from_db()
    assert (verification.failed_checks, verification.checks_remaining) == (1, 4)
    line = AuditEvent.objects.filter(verification=verification, event="check").get()
    assert (line.outcome, line.actor_type, line.actor) == ("invalid", "user", "alice")


def test_after_the_limit_the_right_token_is_refused(device, settings):
    verification = challenge(device)
    code = code_of(verification)
    for _ in range(settings.VERIFICATION_MAX_CHECKS):
        assert not device.verify_token(wrong(code))
    assert device.verify_is_allowed() == (
        False,
        {"reason": VerifyNotAllowed.N_FAILED_ATTEMPTS, "failure_count": settings.VERIFICATION_MAX_CHECKS},
    )
    assert not device.verify_token(code)
    verification.refresh_from_db()
    assert verification.status == Status.MAX_ATTEMPTS_REACHED
    outcomes = list(
        AuditEvent.objects.filter(verification=verification, event="check").values_list("outcome", flat=True)
    )
    assert sorted(outcomes) == sorted(["invalid"] * settings.VERIFICATION_MAX_CHECKS + ["refused"])


def test_an_expired_challenge_refuses_the_right_token(device, clock, settings):
    code = code_of(challenge(device))
    clock.advance(settings.VERIFICATION_TTL_SECONDS)
    allowed, data = device.verify_is_allowed()
    assert (allowed, data) == (False, {"error_message": "This verification has expired."})
    assert not device.verify_token(code)


def test_no_token_verifies_before_a_challenge(device):
    assert device.verify_is_allowed() == (False, {"error_message": "Ask for a code first."})
    assert not device.verify_token("123456")


def test_inside_the_cooldown_no_new_challenge_is_allowed_nor_sent(device):
    challenge(device)
    allowed, data = device.generate_is_allowed()
    assert allowed is False
    assert data["reason"] == GenerateNotAllowed.COOLDOWN_DURATION_PENDING
    with pytest.raises(Throttled) as refusal:
        device.generate_challenge()
    assert refusal.value.code == "resend_cooldown"


def test_a_new_challenge_supersedes_the_last(device, clock, settings):
    first = challenge(device)
    clock.advance(settings.VERIFICATION_RESEND_COOLDOWN_SECONDS)
    second = challenge(device)
    first.refresh_from_db()
    assert first.status == Status.CANCELED
    assert not device.verify_token(code_of(first))
    assert device.verify_token(code_of(second))


def test_keypad_mode_refuses_a_call_device(device, settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    with pytest.raises(ChannelNotAvailable):
        device.generate_challenge()
    assert not VerificationAttempt.objects.exists()
