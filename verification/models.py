"""Verifications, their deliveries, and the append-only audit trail."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from .exceptions import VerificationNotPending


class Channel(models.TextChoices):
    CALL = "call", _("Voice call")
    SMS = "sms", _("SMS")
    AUTO = "auto", _("SMS, then a call")


DELIVERY_CHANNELS = [(Channel.CALL, _("Voice call")), (Channel.SMS, _("SMS"))]


class Status(models.TextChoices):
    PENDING = "pending", pgettext_lazy("verification status", "Pending")
    APPROVED = "approved", pgettext_lazy("verification status", "Approved")
    CANCELED = "canceled", pgettext_lazy("verification status", "Canceled")
    EXPIRED = "expired", pgettext_lazy("verification status", "Expired")
    MAX_ATTEMPTS_REACHED = "max_attempts_reached", pgettext_lazy("verification status", "Locked (too many wrong codes)")
    FAILED = "failed", pgettext_lazy("verification status", "Failed to deliver")


SITE_TENANT = "site"


def tenant_of(api_key):
    """The tenant of a verification made with `api_key` (None: the site's own pages)."""
    return f"key:{api_key.pk}" if api_key is not None else SITE_TENANT


class VerificationAttempt(models.Model):
    """One request to prove that a person holds a phone number."""

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    phone_number = PhoneNumberField(_("phone number"))
    country = models.CharField(_("country"), max_length=2, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.AUTO)
    locale = models.CharField(_("locale"), max_length=16, default="en-US")
    # `read`: the call reads the code; `keypad`: the page shows it and the person types it on the phone.
    voice_mode = models.CharField(_("voice mode"), max_length=8, default="read")
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.PENDING)
    # A keyed hash to check the code; the code itself only encrypted, for the
    # call to read, and wiped when the verification leaves pending.
    code_hash = models.CharField(_("code hash"), max_length=128, editable=False)
    code_encrypted = models.BinaryField(_("encrypted code"), null=True, editable=False)
    failed_checks = models.PositiveSmallIntegerField(_("failed checks"), default=0)
    max_checks = models.PositiveSmallIntegerField(_("max checks"))
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    # The API key that made it; a key sees only its own verifications.
    api_key = models.ForeignKey(
        "rest_framework_api_key.APIKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("API key"),
    )
    # A URL of the API consumer's, for this verification's status events alone.
    status_callback = models.URLField(_("status callback"), max_length=500, blank=True)
    # Whose verification it is: an API key's ("key:<id>") or the site's own pages ("site").
    # Tenants never supersede, see or throttle each other's verifications.
    tenant = models.CharField(_("tenant"), max_length=160, default=SITE_TENANT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification attempt")
        verbose_name_plural = _("verification attempts")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["phone_number", "status"], name="verif_phone_status"),
            models.Index(fields=["status", "created_at"], name="verif_status_created"),
            models.Index(fields=["created_at"], name="verif_created"),
            # The admin's country filter lists countries by a skip scan of it; filtered lists count on it.
            models.Index(fields=["country", "created_at"], name="verif_country_created"),
        ]
        constraints = [
            # The database itself guarantees one pending verification per number and tenant.
            models.UniqueConstraint(
                fields=["tenant", "phone_number"], condition=Q(status="pending"), name="verif_one_pending_per_tenant"
            ),
        ]

    def __str__(self):
        return f"{self.id} ({self.get_status_display()})"

    @property
    def is_pending(self):
        return self.status == Status.PENDING

    @property
    def keypad_code(self):
        """In keypad mode, the code the person must see to type it on the phone."""
        from .codes import decrypt_code

        if self.voice_mode != "keypad" or not self.is_pending:
            return None
        return decrypt_code(self.code_encrypted)

    def is_expired(self, now):
        return now >= self.expires_at

    @property
    def checks_remaining(self):
        if not self.is_pending:
            return 0
        return max(self.max_checks - self.failed_checks, 0)

    def end(self, status, *, now):
        """Leave pending for good: only pending moves, and the code goes with it."""
        if not self.is_pending:
            raise VerificationNotPending(self.status)
        if status == Status.PENDING:
            raise ValueError("A verification cannot end as pending.")
        self.status = status
        self.ended_at = now
        self.code_encrypted = None


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("delivery status", "Queued")  # made, waiting for the carrier's API
    SENDING = "sending", pgettext_lazy("delivery status", "Sending")  # a worker holds it and is asking the carrier
    SENT = "sent", pgettext_lazy("delivery status", "Sent")  # the carrier took it
    RINGING = "ringing", pgettext_lazy("delivery status", "Ringing")
    ANSWERED = "answered", pgettext_lazy("delivery status", "Answered")
    COMPLETED = "completed", pgettext_lazy("delivery status", "Completed")
    DELIVERED = "delivered", pgettext_lazy("delivery status", "Delivered")
    NO_ANSWER = "no_answer", pgettext_lazy("delivery status", "No answer")
    BUSY = "busy", pgettext_lazy("delivery status", "Busy")
    UNDELIVERED = "undelivered", pgettext_lazy("delivery status", "Undelivered")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")


# Where a delivery ends. Success means the code reached the phone.
DELIVERY_SUCCEEDED = {DeliveryStatus.COMPLETED, DeliveryStatus.DELIVERED}
DELIVERY_FAILED = {
    DeliveryStatus.NO_ANSWER,
    DeliveryStatus.BUSY,
    DeliveryStatus.UNDELIVERED,
    DeliveryStatus.FAILED,
}
DELIVERY_FINAL = DELIVERY_SUCCEEDED | DELIVERY_FAILED
# How far along a delivery is; callbacks never move it backwards.
DELIVERY_PROGRESS = {
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.SENDING: 1,
    DeliveryStatus.SENT: 2,
    DeliveryStatus.RINGING: 3,
    DeliveryStatus.ANSWERED: 4,
    **{status: 5 for status in DELIVERY_FINAL},
}


class Delivery(models.Model):
    """One attempt to get the code to the phone: one call or one SMS."""

    # Random, so the carrier-facing URLs that carry it are not guessable.
    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    verification = models.ForeignKey(
        VerificationAttempt, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("verification")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=DELIVERY_CHANNELS)
    carrier = models.CharField(_("carrier"), max_length=16)
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    provider_id = models.CharField(_("provider ID"), max_length=64, blank=True, db_index=True)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    error = models.CharField(_("error"), max_length=255, blank=True)
    hangup_cause = models.CharField(_("hangup cause"), max_length=64, blank=True)
    # Plivo's hangup cause as its callbacks name it (HangupCauseCode, HangupCauseName, HangupSource).
    hangup_cause_code = models.CharField(_("hangup cause code"), max_length=8, blank=True)
    hangup_cause_name = models.CharField(_("hangup cause name"), max_length=64, blank=True)
    hangup_source = models.CharField(_("hangup source"), max_length=32, blank=True)
    # When a worker should next ask the carrier (now, or after a retry's backoff or a
    # pacing slot); a `queued` delivery long past it lost its task, and is swept.
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    # When the person heard the code (or typed one, in keypad mode): a call that
    # ends "completed" without it reached a voicemail or nobody pressed a key.
    code_spoken_at = models.DateTimeField(_("code spoken at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "created_at"], name="delivery_status_created"),
            models.Index(fields=["status", "due_at"], name="delivery_status_due"),
            # The dashboard's and the changelist's periods: deliveries by when they were made.
            models.Index(fields=["created_at"], name="delivery_created"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.id} ({self.get_status_display()})"

    @property
    def is_final(self):
        return self.status in DELIVERY_FINAL

    @property
    def has_failed(self):
        return self.status in DELIVERY_FAILED


class ActorType(models.TextChoices):
    SYSTEM = "system", _("System")
    API_KEY = "api_key", _("API key")
    USER = "user", _("User")
    ADMIN = "admin", _("Admin")
    CARRIER = "carrier", _("Carrier")
    PHONE = "phone", _("Phone")  # digits typed on the phone's keypad during a call


class AuditEvent(models.Model):
    """One line of the audit trail: a state change or a check. Never the code."""

    verification = models.ForeignKey(
        VerificationAttempt, on_delete=models.PROTECT, related_name="audit_events", verbose_name=_("verification")
    )
    delivery = models.ForeignKey(
        Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("delivery")
    )
    event = models.CharField(_("event"), max_length=32)
    from_status = models.CharField(_("from status"), max_length=24, blank=True)
    to_status = models.CharField(_("to status"), max_length=24, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, blank=True)
    actor_type = models.CharField(_("actor type"), max_length=16, choices=ActorType.choices, default=ActorType.SYSTEM)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["event", "created_at"], name="audit_event_created")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.event} {self.outcome}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")


class IdempotencyRecord(models.Model):
    """An API create sent with an `Idempotency-Key`: its body's hash and the verification it made."""

    api_key = models.ForeignKey(
        "rest_framework_api_key.APIKey", on_delete=models.CASCADE, related_name="+", verbose_name=_("API key")
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)  # null while the first request runs
    # What the first answer was about; a replay answers with it (no body is kept at rest).
    verification = models.ForeignKey(
        VerificationAttempt, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("verification")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_per_api_key")]


class FraudScope(models.TextChoices):
    RANGE = "range", _("Number range")
    COUNTRY = "country", _("Country")


class FraudBlock(models.Model):
    """One block by the fraud guard: a number range or a country whose sends did not convert.

    The record of the block (the system did it, with the figures that tripped it) and of
    its lift (who, when). Rows are never deleted, and only a lift ever changes one.
    """

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    scope = models.CharField(_("scope"), max_length=8, choices=FraudScope.choices)
    subject = models.CharField(_("subject"), max_length=16)  # a range ("+44790012", the E.164 number without 4 digits) or "GB"
    sends = models.PositiveIntegerField(_("sends"))
    approvals = models.PositiveIntegerField(_("approvals"))
    window_seconds = models.PositiveIntegerField(_("window (seconds)"))
    min_sends = models.PositiveIntegerField(_("minimum sends"))
    min_conversion = models.FloatField(_("minimum conversion"))
    actor_type = models.CharField(_("actor type"), max_length=16, choices=ActorType.choices, default=ActorType.SYSTEM)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    blocked_until = models.DateTimeField(_("blocked until"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.CharField(_("lifted by"), max_length=150, blank=True)
    lifted_by_ip = models.GenericIPAddressField(_("lifted by IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("fraud block")
        verbose_name_plural = _("fraud blocks")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_scope_display()} {self.shown_subject} blocked {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def shown_subject(self):
        return f"{self.subject}••••" if self.scope == FraudScope.RANGE else self.subject

    @property
    def conversion(self):
        return round(100 * self.approvals / self.sends, 1) if self.sends else None

    def is_active(self, now):
        return self.lifted_at is None and self.blocked_until > now

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            raise PermissionError("A fraud block is only ever lifted, never edited.")
        if not self._state.adding and set(kwargs["update_fields"]) - {"lifted_at", "lifted_by", "lifted_by_ip"}:
            raise PermissionError("A fraud block is only ever lifted, never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Fraud blocks are kept: lift one instead.")


class WebhookEndpoint(models.Model):
    """An API key's webhook: where its verifications' events go, and the secrets that sign them.

    Secrets are kept encrypted (Fernet keyed from SECRET_KEY). After a rotation the
    previous secret signs too until `previous_secret_until`, as Standard Webhooks allows.
    """

    api_key = models.OneToOneField(
        "rest_framework_api_key.APIKey",
        on_delete=models.CASCADE,
        related_name="webhook_endpoint",
        verbose_name=_("API key"),
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    secret_encrypted = models.BinaryField(_("encrypted secret"), editable=False)
    previous_secret_encrypted = models.BinaryField(_("encrypted previous secret"), null=True, editable=False)
    previous_secret_until = models.DateTimeField(_("previous secret until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url or "(no URL)"


class WebhookMessageStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook status", "Pending")
    DELIVERED = "delivered", pgettext_lazy("webhook status", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook status", "Failed")


class WebhookMessage(models.Model):
    """One event for one subscriber (the outbox): written with the change it tells of, in
    the same transaction, and posted by a task; the id is the same on every retry."""

    id = models.CharField(_("ID"), primary_key=True, max_length=40, editable=False)  # "msg_<uuid hex>"
    verification = models.ForeignKey(
        VerificationAttempt, on_delete=models.CASCADE, related_name="webhook_messages", verbose_name=_("verification")
    )
    api_key = models.ForeignKey(
        "rest_framework_api_key.APIKey", on_delete=models.CASCADE, related_name="+", verbose_name=_("API key")
    )
    url = models.URLField(_("URL"), max_length=500)
    event_type = models.CharField(_("event type"), max_length=48)
    payload = models.JSONField(_("payload"))  # {"type", "timestamp", "data"}: never a code
    status = models.CharField(_("status"), max_length=12, choices=WebhookMessageStatus.choices, default=WebhookMessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook message")
        verbose_name_plural = _("webhook messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_status_due")]

    def __str__(self):
        return f"{self.event_type} {self.id} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a webhook message: what came back (listed in the admin)."""

    message = models.ForeignKey(
        WebhookMessage, on_delete=models.CASCADE, related_name="attempt_rows", verbose_name=_("webhook message")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    excerpt = models.CharField(_("excerpt"), max_length=200, blank=True)  # the start of the answer's body, no more

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["at"]
