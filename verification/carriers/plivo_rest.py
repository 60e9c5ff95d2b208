"""Deliveries through Plivo's Call and Message APIs (the SDK's REST client)."""

import requests
from plivo import exceptions as plivo_errors

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

# Plivo answers these with a plain PlivoRestError or PlivoServerError: worth a retry.
TEMPORARY_ERRORS = (plivo_errors.PlivoServerError,)
PERMANENT_ERRORS = (
    plivo_errors.ValidationError,
    plivo_errors.AuthenticationError,
    plivo_errors.ForbiddenError,
    plivo_errors.GeoPermissionError,  # 403 on Call/Message: the destination is not enabled
    plivo_errors.ResourceNotFoundError,
    plivo_errors.InvalidRequestError,
)


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
            ring_timeout=45,
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

    @staticmethod
    def _call_api(api_method, **kwargs):
        try:
            return api_method(**kwargs)
        except requests.ReadTimeout as exc:  # sent, but no answer: it may have been placed
            raise CarrierOutcomeUnknown("The carrier did not answer in time; the delivery may have gone out.") from exc
        except requests.RequestException as exc:  # the SDK does not wrap network errors
            raise CarrierUnavailable(f"Network error talking to the carrier: {type(exc).__name__}") from exc
        except TEMPORARY_ERRORS as exc:
            raise CarrierUnavailable(f"Carrier server error: {exc}") from exc
        except PERMANENT_ERRORS as exc:
            raise CarrierRejected(f"Carrier refused the request: {exc}") from exc
        except plivo_errors.PlivoRestError as exc:  # 429, 502, 503
            raise CarrierUnavailable(f"Carrier unavailable: {exc}") from exc
