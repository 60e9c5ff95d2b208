"""PhoneVerificationDevice: a django-otp device whose challenge is one of our verifications.

`generate_challenge()` starts a verification by the device's channel, and
`verify_token()` is `verification_check`: the code is ours (a keyed hash, never
stored plain), wrong codes count against VERIFICATION_MAX_CHECKS, every check is
in the audit trail, and a refused check (locked, expired, already used) is False.
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django_otp.models import Device, GenerateNotAllowed, TimestampMixin, VerifyNotAllowed
from phonenumber_field.modelfields import PhoneNumberField

from ... import ratelimit
from ...conf import app_settings
from ...exceptions import ChannelNotAvailable, NotFound, VerificationNotPending
from ...models import SITE_TENANT, ActorType, Channel, Status
from ...services import Actor, verification_check, verification_create, verification_get
from ...services.verifications import send_rules

SENT = {
    Channel.CALL: gettext_lazy("We are calling your phone now."),
    Channel.SMS: gettext_lazy("We sent you a text message."),
    Channel.AUTO: gettext_lazy("We sent you a text message; a call follows if it does not arrive."),
}


class PhoneVerificationDevice(TimestampMixin, Device):
    """A user's phone number, and the channel its codes go by."""

    phone_number = PhoneNumberField(gettext_lazy("phone number"))
    channel = models.CharField(gettext_lazy("channel"), max_length=8, choices=Channel.choices, default=Channel.CALL)
    # Empty: the language active when the code is asked for (the page's).
    locale = models.CharField(gettext_lazy("locale"), max_length=16, blank=True, default="")
    # The challenge in flight: the verification its code belongs to.
    verification_id = models.UUIDField(gettext_lazy("verification ID"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = gettext_lazy("phone verification device")
        verbose_name_plural = gettext_lazy("phone verification devices")

    def generate_is_allowed(self):
        """Not inside the number's resend cooldown (the rest is decided when the code is asked for)."""
        cooldown = next(
            rule for rule in send_rules(self._number(), tenant=SITE_TENANT) if rule.name == "number-cooldown"
        )
        wait = ratelimit.seconds_until_free(cooldown)
        if wait:
            return False, {
                "reason": GenerateNotAllowed.COOLDOWN_DURATION_PENDING,
                "next_generation_at": timezone.now() + timedelta(seconds=wait),
            }
        return super().generate_is_allowed()

    def generate_challenge(self):
        """Send a new code; raises our refusals (Throttled, DeliveryBlocked, ...) with their text."""
        if self.channel == Channel.CALL and app_settings.VOICE_MODE == "keypad":
            # Keypad mode needs a page that shows the code; django-otp's forms show none.
            raise ChannelNotAvailable("In keypad mode a device's codes go by SMS only.")
        verification = verification_create(
            phone_number=self._number(),
            channel=self.channel,
            locale=self.locale or _active_locale(),
            actor=self._actor(),
        )
        self.verification_id = verification.pk
        self.save(update_fields=["verification_id"])
        return str(SENT[self.channel])

    def verify_is_allowed(self):
        """False while no code is pending: none asked for, locked after wrong codes, expired or used."""
        verification = self._verification()
        if verification is None:
            return False, {"error_message": gettext("Ask for a code first.")}
        if verification.status == Status.MAX_ATTEMPTS_REACHED:
            return False, {"reason": VerifyNotAllowed.N_FAILED_ATTEMPTS, "failure_count": verification.failed_checks}
        if not verification.is_pending:
            return False, {"error_message": VerificationNotPending(verification.status).detail}
        return super().verify_is_allowed()

    def verify_token(self, token):
        """Our check of `token`: True once, for the right code of the pending challenge."""
        if self.verification_id is None:
            return False
        try:
            result = verification_check(verification_id=self.verification_id, code=str(token), actor=self._actor())
        except NotFound:  # purged by retention
            return False
        if result.valid:
            self.set_last_used_timestamp(commit=False)
            self.save(update_fields=["last_used_at"])
        return result.valid

    def _verification(self):
        if self.verification_id is None:
            return None
        try:
            return verification_get(verification_id=self.verification_id)  # applies its expiry
        except NotFound:
            return None

    def _number(self):
        return getattr(self.phone_number, "as_e164", str(self.phone_number))

    def _actor(self):
        return Actor(type=ActorType.USER, name=self.user.get_username() if self.user_id else "")


def _active_locale():
    return translation.get_language() or "en-US"
