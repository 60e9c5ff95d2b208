"""The gateway for TWO_FACTOR_CALL_GATEWAY and TWO_FACTOR_SMS_GATEWAY.

two_factor's PhoneDevice makes a TOTP token and hands it to `make_call` or `send_sms`;
we deliver that very token through code_deliver (limits, fraud guard, Celery, pacing,
retries, the call script with its key press, the device user's language, signed
callbacks, audit). two_factor checks the token itself; receivers.py tells us when it
accepted one, so the relayed verification ends approved.
"""

import logging

from ...exceptions import VerificationError
from ...models import ActorType, Channel
from ...services import Actor, code_deliver

logger = logging.getLogger(__name__)


class PhoneVerificationGateway:
    """Delivers two_factor's tokens by voice call or SMS through this service."""

    def make_call(self, device, token):
        self._deliver(device, token, Channel.CALL)

    def send_sms(self, device, token):
        self._deliver(device, token, Channel.SMS)

    def _deliver(self, device, token, channel):
        try:
            code_deliver(phone_number=_e164(device.number), code=str(token), channel=channel, actor=_actor(device))
        except VerificationError as refusal:
            logger.warning("Two-factor %s not sent: %s (%s).", channel, refusal.code, refusal.detail)
            if device.pk is None:
                # The setup wizard (its device is not saved yet) catches this and tells the
                # person the method did not work. The login wizard has no such path and
                # would answer a 500, so there the refusal is logged and nothing is sent.
                raise


def _e164(number):
    return getattr(number, "as_e164", str(number))  # whatever PHONENUMBER_DEFAULT_FORMAT says


def _actor(device):
    user = getattr(device, "user", None)
    return Actor(type=ActorType.USER, name=user.get_username() if user is not None else "")
