"""verification_check: constant-time match, counted wrong tries, one approval."""

import pytest

from verification import services
from verification.codes import decrypt_code
from verification.exceptions import NotFound
from verification.models import AuditEvent, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def verification():
    return services.verification_create(phone_number="+14155550123", channel="call")


def code_of(verification):
    return decrypt_code(verification.code_encrypted)


def wrong_code(code):
    return "".join(str((int(d) + 1) % 10) for d in code)


def test_the_right_code_approves_and_wipes_the_readable_code(verification):
    result = services.verification_check(verification_id=verification.id, code=code_of(verification))
    assert (result.valid, result.status, result.checks_remaining) == (True, Status.APPROVED, 0)
    verification.refresh_from_db()
    assert verification.status == Status.APPROVED
    assert verification.code_encrypted is None
    assert verification.ended_at is not None


def test_a_wrong_code_is_counted_and_leaves_it_pending(verification):
    result = services.verification_check(verification_id=verification.id, code=wrong_code(code_of(verification)))
    assert (result.valid, result.status, result.checks_remaining) == (False, Status.PENDING, 4)


def test_after_max_wrong_checks_it_is_max_attempts_reached(verification, settings):
    code = code_of(verification)
    for remaining in (4, 3, 2, 1):
        assert services.verification_check(verification_id=verification.id, code="000000" if code != "000000" else "111111").checks_remaining == remaining
    result = services.verification_check(verification_id=verification.id, code=wrong_code(code))
    assert (result.valid, result.status) == (False, Status.MAX_ATTEMPTS_REACHED)
    result = services.verification_check(verification_id=verification.id, code=code)
    assert (result.valid, result.refused) == (False, "max_attempts_reached")


def test_an_approved_verification_cannot_be_checked_again(verification):
    code = code_of(verification)
    services.verification_check(verification_id=verification.id, code=code)
    result = services.verification_check(verification_id=verification.id, code=code)
    assert (result.valid, result.refused, result.status) == (False, "verification_approved", Status.APPROVED)


def test_an_expired_verification_refuses_even_the_right_code(verification, clock, settings):
    code = code_of(verification)
    clock.advance(settings.VERIFICATION_TTL_SECONDS)
    result = services.verification_check(verification_id=verification.id, code=code)
    assert (result.valid, result.refused) == (False, "verification_expired")
    verification.refresh_from_db()
    assert verification.status == Status.EXPIRED
    assert verification.code_encrypted is None


def test_a_check_just_before_expiry_still_works(verification, clock, settings):
    clock.advance(settings.VERIFICATION_TTL_SECONDS - 1)
    assert services.verification_check(verification_id=verification.id, code=code_of(verification)).valid


def test_a_canceled_verification_refuses_checks(verification):
    code = code_of(verification)
    services.verification_cancel(verification_id=verification.id)
    result = services.verification_check(verification_id=verification.id, code=code)
    assert (result.valid, result.refused) == (False, "verification_canceled")


def test_an_unknown_verification_is_not_found():
    with pytest.raises(NotFound):
        services.verification_check(verification_id="00000000-0000-0000-0000-000000000000", code="123456")


def test_every_check_is_in_the_audit_trail_with_its_outcome(verification):
    actor = services.Actor(type="user", name="alice", ip="203.0.113.9")
    code = code_of(verification)
    services.verification_check(verification_id=verification.id, code=wrong_code(code), actor=actor)
    services.verification_check(verification_id=verification.id, code=code, actor=actor)
    checks = AuditEvent.objects.filter(verification=verification, event="check").order_by("id")
    assert [(c.outcome, c.to_status, c.actor, c.ip) for c in checks] == [
        ("invalid", "pending", "alice", "203.0.113.9"),
        ("valid", "approved", "alice", "203.0.113.9"),
    ]


def test_the_audit_trail_is_append_only(verification):
    event = AuditEvent.objects.filter(verification=verification).first()
    event.outcome = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
