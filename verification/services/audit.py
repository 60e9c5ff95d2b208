"""Who did what: the actor of a service call, and the audit trail writer."""

from dataclasses import dataclass

from ..models import ActorType, AuditEvent
from . import statements


@dataclass(frozen=True)
class Actor:
    """Who asked: an API key, a user, an admin, the carrier or the system; and from where."""

    type: str = ActorType.SYSTEM
    name: str = ""
    ip: str | None = None


SYSTEM = Actor()
CARRIER = Actor(type=ActorType.CARRIER, name="plivo")


def audit(verification, event, *, actor=SYSTEM, now, delivery=None, from_status="", to_status="", outcome="", **detail):
    """Append one line to the audit trail, in the caller's transaction. Never pass the code."""
    return statements.insert(AuditEvent(
        verification=verification,
        delivery=delivery,
        event=event,
        from_status=from_status,
        to_status=to_status,
        outcome=outcome,
        actor_type=actor.type,
        actor=actor.name[:150],
        ip=actor.ip,
        detail=detail,
        created_at=now,
    ))  # fmt: skip
