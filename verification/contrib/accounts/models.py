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

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_profile", verbose_name=_("user")
    )
    phone_number = PhoneNumberField(_("phone number"))
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    preferred_channel = models.CharField(_("preferred channel"), max_length=8, choices=CodeChannel.choices, default=CodeChannel.SMS)
    # A new number waiting for its code; it replaces phone_number only once verified.
    pending_phone_number = PhoneNumberField(_("pending phone number"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("phone profile")
        verbose_name_plural = _("phone profiles")
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

    event = models.CharField(_("event"), max_length=32)  # phone_change, signup, login
    # code_sent, withheld (the number is another account's: nothing sent), throttled, invalid, refused
    outcome = models.CharField(_("outcome"), max_length=32)
    account_id = models.BigIntegerField(_("account ID"), null=True, blank=True, db_index=True)  # the user's id, kept if they go
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    phone_masked = models.CharField(_("masked phone number"), max_length=32, blank=True)
    phone_digest = models.CharField(_("phone digest"), max_length=64, blank=True, db_index=True)
    verification_id = models.UUIDField(_("verification ID"), null=True, blank=True)  # the verification it started, if any
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.event} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")
