"""Delivery backends: one small interface over the carrier's API.

`get_carrier()` returns the backend chosen by VERIFICATION_PLIVO_API (`rest`,
later `phlo`), pointed at the real Plivo or at the sandbox by
VERIFICATION_CARRIER. Callers see only `Carrier` and the two errors below.
"""

from .base import (
    Carrier,
    CarrierError,
    CarrierOutcomeUnknown,
    CarrierRejected,
    CarrierUnavailable,
    get_carrier,
)

__all__ = ["Carrier", "CarrierError", "CarrierOutcomeUnknown", "CarrierRejected", "CarrierUnavailable", "get_carrier"]
