"""Resend, cancel and expiry: only pending moves."""

import pytest

from verification import services
from verification.exceptions import Throttled, VerificationNotPending
from verification.models import AuditEvent, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def verification():
    return services.verification_create(phone_number="+14155550123", channel="call")


def test_a_resend_after_the_cooldown_adds_a_delivery_with_the_same_code(verification, clock, settings):
    code_hash = verification.code_hash
    clock.advance(settings.VERIFICATION_RESEND_COOLDOWN_SECONDS)
    resent = services.verification_resend(verification_id=verification.id).verification
    assert resent.deliveries.count() == 2
    resent.refresh_from_db()
    assert resent.code_hash == code_hash


def test_a_resend_inside_the_cooldown_is_throttled(verification, clock):
    clock.advance(5)
    with pytest.raises(Throttled) as error:
        services.verification_resend(verification_id=verification.id)
    assert error.value.retry_after == 25
    assert verification.deliveries.count() == 1


def test_resends_count_against_the_hourly_cap(verification, clock, settings):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 2
    clock.advance(30)
    services.verification_resend(verification_id=verification.id)
    clock.advance(30)
    with pytest.raises(Throttled) as error:
        services.verification_resend(verification_id=verification.id)
    assert error.value.code == "too_many_sends"


def test_a_resend_of_an_ended_verification_names_why(verification, clock):
    services.verification_cancel(verification_id=verification.id)
    clock.advance(60)
    outcome = services.verification_resend(verification_id=verification.id)
    assert outcome.refused == "verification_canceled"
    assert verification.deliveries.count() == 1  # nothing more was sent


def test_cancel_ends_a_pending_verification_and_records_who(verification):
    actor = services.Actor(type="admin", name="root", ip="127.0.0.1")
    canceled = services.verification_cancel(verification_id=verification.id, actor=actor)
    assert canceled.status == Status.CANCELED
    event = AuditEvent.objects.get(verification=verification, event="canceled")
    assert (event.from_status, event.to_status, event.actor_type, event.actor) == ("pending", "canceled", "admin", "root")


def test_cancel_twice_is_refused_with_the_reason(verification):
    assert services.verification_cancel(verification_id=verification.id).refused is None
    outcome = services.verification_cancel(verification_id=verification.id)
    assert (outcome.refused, outcome.status) == ("verification_canceled", Status.CANCELED)
    with pytest.raises(VerificationNotPending) as error:  # what the API answers with: a 409
        outcome.raise_if_refused()
    assert (error.value.code, error.value.status_code) == ("verification_canceled", 409)


def test_reading_an_overdue_verification_shows_it_expired(verification, clock, settings):
    clock.advance(settings.VERIFICATION_TTL_SECONDS + 1)
    assert services.verification_get(verification_id=verification.id).status == Status.EXPIRED


def test_expire_due_expires_only_overdue_verifications(clock, settings):
    old = services.verification_create(phone_number="+14155550123", channel="call")
    clock.advance(settings.VERIFICATION_TTL_SECONDS - 100)
    young = services.verification_create(phone_number="+14155550124", channel="call")
    clock.advance(100)
    assert services.verification_expire_due() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, young.status) == (Status.EXPIRED, Status.PENDING)
    assert old.code_encrypted is None


def test_a_fixed_line_on_auto_is_resent_by_call_never_sms(clock):
    verification = services.verification_create(phone_number="+442079460000", channel="auto")
    clock.advance(30)
    services.verification_resend(verification_id=verification.id)
    assert list(verification.deliveries.values_list("channel", flat=True)) == ["call", "call"]


def test_a_fixed_line_whose_call_failed_is_not_sent_an_sms():
    from verification.services.deliveries import _finish

    verification = services.verification_create(phone_number="+442079460000", channel="auto")
    _finish(verification.deliveries.get(), "no_answer")
    verification.refresh_from_db()
    assert verification.status == Status.FAILED
    assert list(verification.deliveries.values_list("channel", flat=True)) == ["call"]


def test_a_resend_to_a_country_no_longer_allowed_is_refused(verification, clock, settings):
    from verification.exceptions import CountryNotAllowed

    settings.VERIFICATION_ALLOWED_COUNTRIES = ["GB"]
    clock.advance(30)
    with pytest.raises(CountryNotAllowed):
        services.verification_resend(verification_id=verification.id, channel="call")
    assert verification.deliveries.count() == 1
