"""The sandbox's own housekeeping: its inbox keeps a day (codes in plain text, for development)."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import InboxEntry

KEEP = timedelta(days=1)


@shared_task
def purge_inbox():
    """Every hour (Celery beat, where the sandbox runs): forget entries older than a day."""
    deleted, _ = InboxEntry.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted
