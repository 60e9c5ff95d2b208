"""The carrier interface and its errors."""

from dataclasses import dataclass


class CarrierError(Exception):
    """The carrier did not take a delivery."""


class CarrierUnavailable(CarrierError):
    """A temporary failure (5xx, 429, network): worth retrying later."""


class CarrierRejected(CarrierError):
    """The carrier refused the request (4xx): retrying will not help."""


class CarrierOutcomeUnknown(CarrierError):
    """The request reached the carrier but no answer came back: it may have been placed.

    Never retried: a second call for the same delivery is worse than none.
    """


@dataclass(frozen=True)
class CallRequest:
    to: str
    answer_url: str
    hangup_url: str
    code: str = ""  # only a PHLO needs it: the REST call reads it from our answer XML

    def __repr__(self):
        return f"CallRequest(to={self.to!r})"  # never the code in a log line


@dataclass(frozen=True)
class SmsRequest:
    to: str
    text: str
    status_url: str
    code: str = ""

    def __repr__(self):
        return f"SmsRequest(to={self.to!r})"


@dataclass(frozen=True)
class Lookup:
    """What the carrier's records say of a delivery whose callbacks never came."""

    status: str | None  # a DeliveryStatus value; None while it is still under way
    hangup_cause_code: str = ""
    hangup_cause_name: str = ""
    hangup_source: str = ""
    duration: int | None = None
    error: str = ""


class Carrier:
    """What a delivery needs of a carrier. Each send returns the carrier's id."""

    def place_call(self, request: CallRequest) -> str:
        raise NotImplementedError

    def send_sms(self, request: SmsRequest) -> str:
        raise NotImplementedError

    def lookup_call(self, provider_id: str) -> Lookup:
        """The call's outcome from the carrier's records (reconciliation)."""
        raise NotImplementedError

    def lookup_message(self, provider_id: str) -> Lookup:
        raise NotImplementedError


def get_carrier() -> Carrier:
    """A fresh backend per use: the SDK client is not thread-safe."""
    from ..conf import app_settings
    from .plivo_phlo import PlivoPhloCarrier
    from .plivo_rest import PlivoRestCarrier

    if app_settings.PLIVO_API == "phlo":
        return PlivoPhloCarrier.from_settings()
    return PlivoRestCarrier.from_settings()
