"""What the sandbox's simulated phones received: calls and SMS."""

import uuid

from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    CALL = "call", "Call"
    SMS = "sms", "SMS"


class EntryStatus(models.TextChoices):
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"


ACTIVE_CALL_STATUSES = (EntryStatus.QUEUED, EntryStatus.IN_PROGRESS)


class InboxEntry(models.Model):
    """One call placed or one SMS sent through the sandbox."""

    # Also the call's RequestUUID or the SMS's MessageUUID on the wire.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    to_number = models.CharField(max_length=32)
    from_number = models.CharField(max_length=32)
    # What the person heard or read, as plain text, and the language the call spoke it in.
    text = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=EntryStatus.choices, default=EntryStatus.QUEUED)
    # Keys typed through the press endpoint, held only until a GetDigits takes them.
    pressed_digits = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # What Plivo keeps about the call or SMS, for its callbacks and its Call and Message APIs.
    answered_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    hangup_cause_code = models.PositiveIntegerField(null=True, blank=True)
    hangup_source = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # an SMS handed to the downstream carrier
    error_code = models.CharField(max_length=8, blank=True)  # an SMS that failed or was undelivered
    units = models.PositiveSmallIntegerField(default=1)  # the SMS's parts
    requester_ip = models.GenericIPAddressField(null=True, blank=True)
    # An SMS's `log` as the Message API received it: False when the sender asked Plivo
    # to keep its text (the code) out of the logs.
    logged = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "inbox entries"
        indexes = [
            models.Index(fields=["to_number", "created_at"], name="sandbox_inbox_to_created"),
            models.Index(fields=["created_at"], name="sandbox_inbox_created"),
        ]

    def __str__(self):
        return f"{self.channel} to {self.to_number} ({self.status})"
