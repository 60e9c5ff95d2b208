"""A user's phone: the verified number, how codes reach it, and a number being changed to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField


class CodeChannel(models.TextChoices):
    """How a person's codes reach them: the two channels of a single delivery."""

    SMS = "sms", "Text message (SMS)"
    CALL = "call", "Voice call"


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
