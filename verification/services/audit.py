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


def audit(verification, event, **line):
    """Append one line to the audit trail, in the caller's transaction. Never pass the code."""
    return statements.insert(audit_line(verification, event, **line))


def save_and_audit(instance, fields, verification, event, **line):
    """`statements.save_fields(instance, fields)` and then `audit(verification, event, ...)`,
    in one statement (one round trip), in the caller's transaction."""
    return statements.save_fields_and_insert(instance, fields, audit_line(verification, event, **line))


def audit_line(
    verification, event, *, actor=SYSTEM, now, delivery=None, from_status="", to_status="", outcome="", **detail
):
    """The audit line, not yet written."""
    return AuditEvent(
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
    )
