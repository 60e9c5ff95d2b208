"""The one place a verification or a delivery changes status: under the caller's row
lock and transaction, never from a status it may not leave, with its audit line and
the status webhooks' outbox rows in the same transaction.

Every end of a verification (approved, canceled, superseded, expired, locked, failed)
goes through `verification_end`; every step of a delivery that its owner can see
(sent, ringing, answered, and each final status) goes through `delivery_move`.
"""

from dataclasses import dataclass

from django.db import connection

from ..exceptions import VerificationNotPending
from ..models import DELIVERY_PROGRESS
from ..webhooks.outbox import DELIVERY_UPDATED, event_record, verification_ended
from .audit import SYSTEM, save_and_audit


@dataclass(frozen=True)
class Transition:
    """What a transition did: `ended`, or `refused` naming why not (as the API's 409 codes do)."""

    ended: bool
    refused: str | None = None


def _require_transaction():
    if not connection.in_atomic_block:
        raise RuntimeError("A transition runs inside the caller's transaction, under its row lock.")


def verification_end(verification, status, *, event, now, actor=SYSTEM, also=(), **detail):
    """End a pending verification as `status`, and write `event` to the audit trail.

    The caller holds the verification's row lock in an open transaction (a
    `select_for_update()` inside `transaction.atomic()`). A verification that is
    no longer pending is an expected refusal, returned with its reason (nothing
    is written); a call outside a transaction is a bug, and raises. `also` names
    other fields the caller changed that are saved with it.
    """
    _require_transaction()
    if not verification.is_pending:
        return Transition(ended=False, refused=VerificationNotPending(verification.status).code)
    before = verification.status
    verification.end(status, now=now)
    fields = ["status", "ended_at", "code_encrypted", *also]
    save_and_audit(
        verification, fields, verification, event, actor=actor, now=now, from_status=before, to_status=status, **detail
    )
    verification_ended(verification, status, now=now)  # the outbox, in this same transaction
    return Transition(ended=True)


def delivery_move(delivery, status, *, event, now, actor=SYSTEM, also=(), **detail):
    """Move a delivery forward to `status` and write `event` to its verification's trail.

    The caller holds the delivery's row lock in an open transaction. A delivery only
    moves forward (a late or repeated callback cannot take it back) and never out of
    a final status: those are refused, with nothing written. Each move is told to the
    verification's subscribers as `delivery.updated`.
    """
    _require_transaction()
    if delivery.is_final:
        return Transition(ended=False, refused="delivery_final")
    if DELIVERY_PROGRESS[status] <= DELIVERY_PROGRESS[delivery.status]:
        return Transition(ended=False, refused="delivery_not_forward")
    before = delivery.status
    delivery.status = status
    delivery.updated_at = now
    verification = delivery.verification
    save_and_audit(
        delivery, ["status", "updated_at", *also], verification, event,
        actor=actor, now=now, delivery=delivery, from_status=before, to_status=status, **detail,
    )  # fmt: skip
    event_record(verification, DELIVERY_UPDATED, now=now)
    return Transition(ended=delivery.is_final)
