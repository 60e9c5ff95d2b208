"""The rules of a verification, as keyword-only functions named <entity>_<verb>.

Views, the API, admin actions, commands and tasks call these and nothing else
to change a verification or a delivery.
"""

from .audit import CARRIER, SYSTEM, Actor
from .deliveries import (
    delivery_code_spoken,
    delivery_dispatch,
    delivery_give_up,
    delivery_record_status,
    delivery_retry_later,
    delivery_sweep,
    delivery_tries,
    workflow_advance,
)
from .relay import code_confirm, code_deliver
from .retention import retention_purge
from .verifications import (
    CheckResult,
    Outcome,
    verification_cancel,
    verification_check,
    verification_create,
    verification_expire_due,
    verification_get,
    verification_pending_for_number,
    verification_read,
    verification_resend,
)

__all__ = [
    "CARRIER",
    "SYSTEM",
    "Actor",
    "CheckResult",
    "Outcome",
    "code_confirm",
    "code_deliver",
    "delivery_code_spoken",
    "delivery_dispatch",
    "delivery_give_up",
    "delivery_record_status",
    "delivery_retry_later",
    "delivery_sweep",
    "delivery_tries",
    "retention_purge",
    "verification_cancel",
    "verification_check",
    "verification_create",
    "verification_expire_due",
    "verification_get",
    "verification_pending_for_number",
    "verification_read",
    "verification_resend",
    "workflow_advance",
]
