"""What the sandbox's simulated phones received: calls and SMS."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    CALL = "call", _("Call")
    SMS = "sms", _("SMS")


class EntryStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("delivery status", "Queued")
    IN_PROGRESS = "in_progress", pgettext_lazy("delivery status", "In progress")
    COMPLETED = "completed", pgettext_lazy("delivery status", "Completed")
    NO_ANSWER = "no_answer", pgettext_lazy("delivery status", "No answer")
    BUSY = "busy", pgettext_lazy("delivery status", "Busy")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")
    DELIVERED = "delivered", pgettext_lazy("delivery status", "Delivered")
    UNDELIVERED = "undelivered", pgettext_lazy("delivery status", "Undelivered")


ACTIVE_CALL_STATUSES = (EntryStatus.QUEUED, EntryStatus.IN_PROGRESS)


class InboxEntry(models.Model):
    """One call placed or one SMS sent through the sandbox."""

    # Also the call's RequestUUID or the SMS's MessageUUID on the wire.
    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    to_number = models.CharField(_("to"), max_length=32)
    from_number = models.CharField(_("from"), max_length=32)
    # What the person heard or read, as plain text, and the language the call spoke it in.
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.QUEUED)
    # Keys typed through the press endpoint, held only until a GetDigits takes them.
    pressed_digits = models.CharField(_("pressed digits"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # What Plivo keeps about the call or SMS, for its callbacks and its Call and Message APIs.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    hangup_cause_code = models.PositiveIntegerField(_("hangup cause code"), null=True, blank=True)
    hangup_source = models.CharField(_("hangup source"), max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)  # an SMS handed to the downstream carrier
    error_code = models.CharField(_("error code"), max_length=8, blank=True)  # an SMS that failed or was undelivered
    units = models.PositiveSmallIntegerField(_("units"), default=1)  # the SMS's parts
    requester_ip = models.GenericIPAddressField(_("requester IP"), null=True, blank=True)
    # An SMS's `log` as the Message API received it: False when the sender asked Plivo
    # to keep its text (the code) out of the logs.
    logged = models.BooleanField(_("logged"), default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inbox entry")
        verbose_name_plural = _("inbox entries")
        indexes = [
            models.Index(fields=["to_number", "created_at"], name="sandbox_inbox_to_created"),
            models.Index(fields=["created_at"], name="sandbox_inbox_created"),
        ]

    def __str__(self):
        return f"{self.channel} to {self.to_number} ({self.status})"
