"""Deliveries through a PHLO (VERIFICATION_PLIVO_API=phlo), as in Plivo's OTP guides.

The PHLO receives `from`, `to`, `otp` and `mode` in the JSON body of the run
request (never in a URL) and does the calling or texting itself.
"""

import plivo
from plivo.resources.phlos import Phlo

from ..conf import app_settings
from .base import CallRequest, Carrier, CarrierRejected, SmsRequest
from .plivo_client import remember_status
from .plivo_rest import call_api


class PlivoPhloCarrier(Carrier):
    def __init__(self, client, phlo_id, from_number):
        self.client = client
        self.phlo_id = phlo_id
        self.from_number = from_number

    @classmethod
    def from_settings(cls):
        if not app_settings.PLIVO_PHLO_ID:
            raise CarrierRejected("VERIFICATION_PLIVO_API=phlo needs PLIVO_PHLO_ID.")
        client = plivo.phlo.RestClient(
            auth_id=app_settings.auth_id,
            auth_token=app_settings.auth_token,
            timeout=app_settings.CARRIER_TIMEOUT_SECONDS,
        )
        if app_settings.CARRIER == "sandbox":
            client.phlo_base_uri = app_settings.sandbox_api_url + "/phlo/v1"  # an instance attribute the SDK keeps
            client.session.trust_env = False
        remember_status(client)
        return cls(client, app_settings.PLIVO_PHLO_ID, app_settings.from_number)

    def place_call(self, request: CallRequest) -> str:
        return self._run(request.to, request.code, "call")

    def send_sms(self, request: SmsRequest) -> str:
        return self._run(request.to, request.code, "sms")

    def _run(self, to, code, mode):
        phlo = Phlo(self.client, {"phlo_id": self.phlo_id})  # skips the SDK's extra GET of the PHLO
        response = call_api(self.client, phlo.run, from_=self.from_number, to=to, otp=code, mode=mode)
        return str(getattr(response, "api_id", "") or self.phlo_id)
