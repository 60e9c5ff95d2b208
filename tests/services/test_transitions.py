"""The one transition: a verification leaves pending once, under a lock, with its audit line."""

import pytest
from django.db import transaction

from verification import services
from verification.models import AuditEvent, VerificationAttempt
from verification.services.transitions import verification_end

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def verification(monkeypatch):
    monkeypatch.setattr("verification.services.deliveries.enqueue_delivery", lambda delivery_id: True)  # stays pending
    return services.verification_create(phone_number="+14155550123", channel="sms")


def locked(verification):
    return VerificationAttempt.objects.select_for_update().get(pk=verification.pk)


def test_an_end_writes_the_status_the_wiped_code_and_the_audit_line_together(verification, clock):
    with transaction.atomic():
        verification_end(locked(verification), "canceled", event="canceled", now=clock())
    verification.refresh_from_db()
    assert (verification.status, verification.code_encrypted, verification.ended_at) == ("canceled", None, clock())
    line = AuditEvent.objects.get(verification=verification, event="canceled")
    assert (line.from_status, line.to_status) == ("pending", "canceled")


def test_an_ended_verification_never_moves_again_and_the_refusal_says_why(verification, clock):
    services.verification_cancel(verification_id=verification.id)
    with transaction.atomic():
        result = verification_end(locked(verification), "approved", event="check", now=clock())
    assert (result.ended, result.refused) == (False, "verification_canceled")
    verification.refresh_from_db()
    assert verification.status == "canceled"
    assert not AuditEvent.objects.filter(verification=verification, event="check").exists()


def test_an_end_that_happens_says_so(verification, clock):
    with transaction.atomic():
        result = verification_end(locked(verification), "canceled", event="canceled", now=clock())
    assert (result.ended, result.refused) == (True, None)


def test_an_end_outside_a_transaction_is_refused(verification, clock):
    with pytest.raises(RuntimeError, match="transaction"):
        verification_end(VerificationAttempt.objects.get(pk=verification.pk), "canceled", event="canceled", now=clock())
    verification.refresh_from_db()
    assert verification.status == "pending"
    assert not AuditEvent.objects.filter(verification=verification, event="canceled").exists()


def test_a_failed_audit_line_leaves_the_verification_pending(verification, clock):
    """Status and audit are one transaction: neither is written without the other."""
    from django.db import DataError

    lines = AuditEvent.objects.filter(verification=verification).count()
    too_long = "e" * 40  # the audit line's event column takes 32: PostgreSQL refuses the line
    with pytest.raises(DataError), transaction.atomic():
        verification_end(locked(verification), "canceled", event=too_long, now=clock())
    verification.refresh_from_db()
    assert verification.status == "pending" and verification.code_encrypted is not None
    assert AuditEvent.objects.filter(verification=verification).count() == lines


def locked_delivery(verification):
    from verification.models import Delivery

    return Delivery.objects.select_for_update().select_related("verification").get(verification=verification)


def test_a_delivery_moves_only_forward_and_each_move_is_audited(verification, clock):
    from verification.services.transitions import delivery_move

    with transaction.atomic():
        moved = delivery_move(locked_delivery(verification), "sent", event="delivery_sent", now=clock())
    with transaction.atomic():
        back = delivery_move(locked_delivery(verification), "queued", event="delivery_status", now=clock())
    with transaction.atomic():
        done = delivery_move(locked_delivery(verification), "delivered", event="delivery_status", now=clock())
    with transaction.atomic():
        after = delivery_move(locked_delivery(verification), "undelivered", event="delivery_status", now=clock())
    assert [(m.ended, m.refused) for m in (moved, back, done, after)] == [
        (False, None),
        (False, "delivery_not_forward"),
        (True, None),
        (False, "delivery_final"),
    ]
    trail = AuditEvent.objects.filter(verification=verification, event__in=["delivery_sent", "delivery_status"])
    assert list(trail.order_by("id").values_list("from_status", "to_status")) == [("queued", "sent"), ("sent", "delivered")]
