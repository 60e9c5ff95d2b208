"""A user's phone: the verified number, how codes reach it, and a number being changed to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class CodeChannel(models.TextChoices):
    """How a person's codes reach them: the two channels of a single delivery."""

    SMS = "sms", _("Text message (SMS)")
    CALL = "call", _("Voice call")


class PhoneProfile(models.Model):
    """One per user. The user may not sign in until `phone_verified`."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_profile")
    phone_number = PhoneNumberField()
    phone_verified = models.BooleanField(default=False)
    preferred_channel = models.CharField(max_length=8, choices=CodeChannel.choices, default=CodeChannel.SMS)
    # A new number waiting for its code; it replaces phone_number only once verified.
    pending_phone_number = PhoneNumberField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # The pages check this before they send a code; the database settles two signups racing.
            models.UniqueConstraint(
                fields=["phone_number"],
                condition=Q(phone_verified=True),
                name="accounts_one_verified_account_per_number",
                violation_error_message="This number is already used by another account.",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({'verified' if self.phone_verified else 'not verified'})"


class AccountEvent(models.Model):
    """One line of the accounts' audit trail: an attempt on an account's number from the pages, whatever came of it.

    The verifications' own trail (AuditEvent) hangs off a verification; the attempts most worth seeing have
    none (throttled, or a number another account holds: no code goes out). So every attempt is one row here,
    naming the verification it started when it started one. The number is kept masked and as a keyed digest
    (the same number, the same digest: probes of one number line up), never in full. Append-only."""

    event = models.CharField(max_length=32)  # phone_change, signup, login
    # code_sent, withheld (the number is another account's: nothing sent), throttled, invalid, refused
    outcome = models.CharField(max_length=32)
    account_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # the user's id, kept if they go
    actor = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    phone_masked = models.CharField(max_length=32, blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True)
    verification_id = models.UUIDField(null=True, blank=True)  # the verification it started, if any
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.event} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")
