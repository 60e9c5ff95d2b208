"""Retention: ended verifications, their deliveries and audit rows go after
VERIFICATION_RETENTION_DAYS (90, as long as Plivo keeps its logs)."""

from datetime import timedelta

from django.db import transaction

from .. import clock
from ..conf import app_settings
from ..models import AuditEvent, Status, VerificationAttempt

BATCH = 1000  # rows per transaction: never one long lock over the whole table


def retention_purge(*, now=None):
    """Delete what is older than the retention period; returns how many verifications went.

    The only place the audit trail is ever deleted from: in normal operation it is
    append-only (AuditEvent refuses save and delete of a row), and a pending
    verification is never deleted, however old.
    """
    now = now or clock.now()
    cutoff = now - timedelta(days=app_settings.RETENTION_DAYS)
    old = VerificationAttempt.objects.filter(created_at__lt=cutoff).exclude(status=Status.PENDING)
    purged = 0
    while ids := list(old.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            AuditEvent.objects.filter(verification_id__in=ids).delete()  # a queryset delete: one SQL DELETE
            VerificationAttempt.objects.filter(pk__in=ids).delete()  # and their deliveries, by cascade
        purged += len(ids)
    return purged
