"""Deliver a code made elsewhere: django-two-factor-auth's gateways hand us the token
its phone device made (`make_call(device, token)`), and we carry it.

A relayed code takes the road of every code (verification_create with `code=`): the
limits per number, per country and in all, the fraud guard and number types, a
Celery task, the carrier's pace and retries, the call script with its key press, the
eight languages, signed callbacks and the audit trail. It is kept as ours are: a
keyed hash, and the Fernet ciphertext the call reads, wiped when the verification
leaves pending; the "created" audit line says `relayed`.

When its verification ends: the device that made the code checks it itself (two_factor
compares its TOTP), so the verification stays pending until that device tells us it
accepted the code (`code_confirm`: approved, and counted by the fraud guard as a
conversion), until a newer code to the same number supersedes it (canceled), or until
VERIFICATION_TTL_SECONDS pass (expired by the sweeper). `verification_check` works on
it too, for a caller that would rather have us compare the code.
"""

import phonenumbers
from django.db import transaction
from django.utils import translation

from .. import clock, fraud
from ..models import SITE_TENANT, Status, VerificationAttempt
from .audit import SYSTEM
from .transitions import verification_end
from .verifications import _expire_if_due, verification_create

# The lengths a code may have (VERIFICATION_CODE_LENGTH allows the same).
CODE_LENGTHS = range(4, 11)


def code_deliver(*, phone_number, code, channel, locale=None, country=None, actor=SYSTEM, client_ip=None):
    """Deliver `code`, made by the caller, to `phone_number` by `channel` (call, sms or auto).

    Refused as verification_create refuses (Throttled, DeliveryBlocked, ChannelNotAvailable,
    InvalidPhoneNumber, ServiceUnavailable); `locale` defaults to the active language.
    Returns the verification, pending; it supersedes the number's pending one.
    """
    if not isinstance(code, str) or not code.isdigit() or len(code) not in CODE_LENGTHS:
        raise ValueError("A relayed code is a string of 4 to 10 digits.")  # never the code itself
    return verification_create(
        phone_number=phone_number,
        channel=channel,
        locale=locale or translation.get_language() or "en-US",
        country=country,
        actor=actor,
        client_ip=client_ip,
        code=code,
    )


def code_confirm(*, phone_number, actor=SYSTEM):
    """The device that made a relayed code accepted it: the number's pending relayed
    verification ends approved. Returns it, or None if there is none (ended, superseded)."""
    e164 = _e164(phone_number)
    pending = VerificationAttempt.objects.filter(
        tenant=SITE_TENANT,
        phone_number=e164,
        status=Status.PENDING,
        audit_events__event="created",
        audit_events__detail__relayed=True,
    )
    verification_id = pending.values_list("pk", flat=True).first()
    if verification_id is None:
        return None
    now = clock.now()
    with transaction.atomic():
        verification = VerificationAttempt.objects.select_for_update().get(pk=verification_id)
        if _expire_if_due(verification, now=now, actor=actor):
            return None
        transition = verification_end(
            verification, Status.APPROVED, event="confirmed", actor=actor, now=now, outcome="valid", by="device"
        )
    if not transition.ended:
        return None
    fraud.approved(verification, now=now)
    return verification


def _e164(phone_number):
    """A device's number (a PhoneNumber or a string) as E.164; None if it is no number at all."""
    if isinstance(phone_number, phonenumbers.PhoneNumber):
        number = phone_number
    else:
        try:
            number = phonenumbers.parse(str(phone_number), None)
        except phonenumbers.NumberParseException:
            return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
