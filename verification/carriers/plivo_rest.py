"""Deliveries through Plivo's Call and Message APIs (the SDK's REST client)."""

import functools

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
    Lookup,
    SmsRequest,
)
from .plivo_client import make_rest_client

RING_TIMEOUT_SECONDS = 45
# Plivo's hangup causes of a call nobody answered (https://www.plivo.com/docs/voice/troubleshooting/hangup-causes/).
BUSY_CAUSES = {"3010"}
UNANSWERED_CAUSES = {"3000", "3020", "6010"}
# A message's final states as Plivo's message detail record names them.
MESSAGE_STATES = {"delivered": "delivered", "undelivered": "undelivered", "failed": "failed", "rejected": "failed"}


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
            # The text holds the code: Plivo must not keep it in its logs (7 days by
            # default). The SDK takes the string form only ("true"/"false").
            log="false",
        )
        return str(response.message_uuid[0])

    def lookup_call(self, provider_id):
        """Plivo's call detail record (`calls.get`); 404 while the call is live or queued."""
        try:
            record = self._call_api(self.client.calls.get, call_uuid=provider_id)
        except CarrierRejected:
            if self._still_under_way(provider_id):
                return Lookup(status=None)
            return Lookup(status="failed", error="The carrier has no record of this call.")
        code = str(getattr(record, "hangup_cause_code", "") or "")
        if getattr(record, "call_state", "") == "ANSWER" or getattr(record, "answer_time", None):
            status = "completed"  # whether the code was heard, the delivery's own record says
        elif code in BUSY_CAUSES:
            status = "busy"
        elif code in UNANSWERED_CAUSES:
            status = "no_answer"
        else:
            status = "failed"
        return Lookup(
            status=status,
            hangup_cause_code=code,
            hangup_cause_name=str(getattr(record, "hangup_cause_name", "") or ""),
            hangup_source=str(getattr(record, "hangup_source", "") or ""),
            duration=int(getattr(record, "call_duration", 0) or 0),
        )

    def _still_under_way(self, provider_id):
        for api in (self.client.live_calls.get, self.client.queued_calls.get):
            try:
                self._call_api(functools.partial(api, provider_id))
                return True
            except CarrierRejected:
                continue
        return False

    def lookup_message(self, provider_id):
        """Plivo's message detail record (`messages.get`)."""
        try:
            record = self._call_api(self.client.messages.get, message_uuid=provider_id)
        except CarrierRejected:
            return Lookup(status="failed", error="The carrier has no record of this message.")
        state = str(getattr(record, "message_state", "") or "")
        error = getattr(record, "error_code", None)
        return Lookup(status=MESSAGE_STATES.get(state), error=f"Plivo error code {error}" if error else "")

    def _call_api(self, api_method, **kwargs):
        return call_api(self.client, api_method, **kwargs)


def call_api(client, api_method, **kwargs):
    """`api_method(**kwargs)` of `client` (made with remember_status), its failure classified."""
    client.last_status = None
    try:
        return api_method(**kwargs)
    except (requests.RequestException, plivo_errors.PlivoRestError) as exc:
        raise classify(exc, client.last_status) from exc
