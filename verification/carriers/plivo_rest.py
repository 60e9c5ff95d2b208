"""Deliveries through Plivo's Call and Message APIs (the SDK's REST client)."""

import requests
from plivo import exceptions as plivo_errors
from urllib3.exceptions import NewConnectionError

from ..conf import app_settings
from .base import (
    CallRequest,
    Carrier,
    CarrierOutcomeUnknown,
    CarrierRejected,
    CarrierUnavailable,
    SmsRequest,
)
from .plivo_client import make_rest_client

RING_TIMEOUT_SECONDS = 45


def never_sent(exc):
    """True if a network error came before the request left us (refused, unresolvable,
    connect timeout); after that, the carrier may have acted on it."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, NewConnectionError)


def classify(exc, status):
    """The carrier error that a failed API call stands for.

    429 and 5xx are temporary (retried with backoff); every other 4xx is a
    refusal (never retried); a request that may have reached the carrier but got
    no answer is an unknown outcome (never retried: a second call is worse).
    """
    if isinstance(exc, requests.RequestException):  # the SDK does not wrap network errors
        if never_sent(exc):
            return CarrierUnavailable(f"Network error talking to the carrier: {type(exc).__name__}")
        return CarrierOutcomeUnknown(
            f"The carrier did not answer ({type(exc).__name__}); the delivery may have gone out."
        )
    if status == 429 or (status or 0) >= 500:
        return CarrierUnavailable(f"Carrier unavailable (HTTP {status}): {exc}")
    if status is not None and 400 <= status < 500:
        return CarrierRejected(f"Carrier refused the request (HTTP {status}): {exc}")
    # An answer the SDK could not read (a 2xx without the fields it expects, say).
    return CarrierOutcomeUnknown(f"Unexpected answer from the carrier (HTTP {status}): {exc}")


class PlivoRestCarrier(Carrier):
    def __init__(self, client, from_number):
        self.client = client
        self.from_number = from_number

    @classmethod
    def from_settings(cls):
        return cls(make_rest_client(), app_settings.from_number)

    def place_call(self, request: CallRequest) -> str:
        response = self._call_api(
            self.client.calls.create,
            from_=self.from_number,
            to_=request.to,
            answer_url=request.answer_url,
            answer_method="POST",
            hangup_url=request.hangup_url,
            hangup_method="POST",
            ring_timeout=RING_TIMEOUT_SECONDS,
            time_limit=app_settings.CALL_TIME_LIMIT_SECONDS,  # never Plivo's default of four hours
        )
        return str(response.request_uuid)

    def send_sms(self, request: SmsRequest) -> str:
        response = self._call_api(
            self.client.messages.create,
            src=self.from_number,
            dst=request.to,
            text=request.text,
            url=request.status_url,
            method="POST",
        )
        return str(response.message_uuid[0])

    def _call_api(self, api_method, **kwargs):
        return call_api(self.client, api_method, **kwargs)


def call_api(client, api_method, **kwargs):
    """`api_method(**kwargs)` of `client` (made with remember_status), its failure classified."""
    client.last_status = None
    try:
        return api_method(**kwargs)
    except (requests.RequestException, plivo_errors.PlivoRestError) as exc:
        raise classify(exc, client.last_status) from exc
