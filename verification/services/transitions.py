"""The one place a verification leaves `pending`: under the caller's row lock and
transaction, never from another status, with its audit line in the same transaction.

Every end (approved, canceled, superseded, expired, locked, failed) goes through
`verification_end`, which also writes the status webhooks' outbox rows.
"""

from dataclasses import dataclass

from django.db import connection

from ..exceptions import VerificationNotPending
from ..webhooks.outbox import verification_ended
from .audit import SYSTEM, audit


@dataclass(frozen=True)
class Transition:
    """What a transition did: `ended`, or `refused` naming why not (as the API's 409 codes do)."""

    ended: bool
    refused: str | None = None


def verification_end(verification, status, *, event, now, actor=SYSTEM, also=(), **detail):
    """End a pending verification as `status`, and write `event` to the audit trail.

    The caller holds the verification's row lock in an open transaction (a
    `select_for_update()` inside `transaction.atomic()`). A verification that is
    no longer pending is an expected refusal, returned with its reason (nothing
    is written); a call outside a transaction is a bug, and raises. `also` names
    other fields the caller changed that are saved with it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("A transition runs inside the caller's transaction, under its row lock.")
    if not verification.is_pending:
        return Transition(ended=False, refused=VerificationNotPending(verification.status).code)
    before = verification.status
    verification.end(status, now=now)
    verification.save(update_fields=["status", "ended_at", "code_encrypted", *also])
    audit(verification, event, actor=actor, now=now, from_status=before, to_status=status, **detail)
    verification_ended(verification, status, now=now)  # the outbox, in this same transaction
    return Transition(ended=True)
