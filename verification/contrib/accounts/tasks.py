"""The accounts app's housekeeping: its own trail keeps as long as the verifications'."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from verification.conf import app_settings

from .models import AccountEvent


@shared_task
def purge_account_events():
    """Every hour (Celery beat): account events older than VERIFICATION_RETENTION_DAYS."""
    cutoff = timezone.now() - timedelta(days=app_settings.RETENTION_DAYS)
    deleted, _ = AccountEvent.objects.filter(created_at__lt=cutoff).delete()  # a queryset delete, not row by row
    return deleted
