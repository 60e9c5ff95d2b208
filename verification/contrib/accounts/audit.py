"""The accounts' audit trail: one AccountEvent per attempt on an account's number, whatever came of it."""

from django.utils.crypto import salted_hmac

from verification import clock
from verification.phones import mask_phone_number_for_staff

from .models import AccountEvent


def phone_digest(phone_number):
    """A keyed digest of the number: equal for equal numbers, useless without the secret key."""
    return salted_hmac("verification.contrib.accounts.phone", str(phone_number), algorithm="sha256").hexdigest()


def account_event(*, event, outcome, actor, user=None, phone_number="", verification_id=None, **detail):
    """Append one line. Never pass a code or a password."""
    return AccountEvent.objects.create(
        event=event,
        outcome=outcome,
        account_id=getattr(user, "pk", None),
        actor=(actor.name or "")[:150],
        ip=actor.ip,
        phone_masked=mask_phone_number_for_staff(str(phone_number)) if phone_number else "",
        phone_digest=phone_digest(phone_number) if phone_number else "",
        verification_id=verification_id,
        detail=detail,
        created_at=clock.now(),
    )
