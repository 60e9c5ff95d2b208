"""The views Plivo calls: answer and key-press (they return XML), and the status
callbacks. Every one checks Plivo's V3 signature first (see signatures.py)."""

import functools
import logging

from django.http import HttpResponse
from django.views.decorators.http import require_POST

from .. import clock
from ..codes import decrypt_code
from ..conf import app_settings
from ..locales import DEFAULT_LOCALE
from ..models import ActorType, DeliveryStatus
from ..services import (
    Actor,
    delivery_code_spoken,
    delivery_record_status,
    verification_check,
)
from ..services.statements import delivery_of_channel
from ..signatures import plivo_webhook
from ..voice import apology_xml, code_xml, keypad_done_xml, keypad_xml, keypress_xml

logger = logging.getLogger(__name__)

CALL_STATUSES = {
    "ringing": DeliveryStatus.RINGING,
    "in-progress": DeliveryStatus.ANSWERED,
    "completed": DeliveryStatus.COMPLETED,
    "busy": DeliveryStatus.BUSY,
    "no-answer": DeliveryStatus.NO_ANSWER,
    "timeout": DeliveryStatus.NO_ANSWER,
    "failed": DeliveryStatus.FAILED,
    "cancel": DeliveryStatus.FAILED,
}
SMS_STATUSES = {
    "queued": DeliveryStatus.QUEUED,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
    "rejected": DeliveryStatus.FAILED,
}


def xml_response(body):
    return HttpResponse(body, content_type="application/xml")


def _delivery(delivery_id, channel):
    """The delivery with what the views read of it and its verification (one statement,
    services/statements.py: loading the rest costs more than the statement itself)."""
    return delivery_of_channel(delivery_id, channel)


def _readable_code(delivery):
    """The code if the call may still read it: pending, unexpired and not wiped."""
    verification = delivery.verification
    if not verification.is_pending or verification.is_expired(clock.now()):
        return None
    return decrypt_code(verification.code_encrypted)


def call_step(view):
    """A step of a call Plivo asks us for: signed, POST, for a known call delivery; answers XML."""

    @functools.wraps(view)
    def wrapper(request, delivery_id):
        delivery = _delivery(delivery_id, "call")
        if delivery is None:
            return xml_response(apology_xml(locale=DEFAULT_LOCALE))
        return xml_response(view(request, delivery))

    return require_POST(plivo_webhook(wrapper))


def _sibling_url(request, step):
    """The URL of another step of the same call (answer -> code or digits)."""
    return app_settings.public_base_url + request.path.rsplit("/", 2)[0] + f"/{step}/"


@call_step
def voice_answer(request, delivery):
    delivery_record_status(
        delivery_id=delivery.id, status=DeliveryStatus.ANSWERED, provider_id=request.POST.get("CallUUID", "")
    )
    locale = delivery.verification.locale
    code = _readable_code(delivery)
    if code is None:
        return apology_xml(locale=locale)
    if delivery.verification.voice_mode == "keypad":
        return keypad_xml(locale=locale, action_url=_sibling_url(request, "digits"), num_digits=len(code))
    if app_settings.VOICE_REQUIRE_KEYPRESS:
        return keypress_xml(locale=locale, action_url=_sibling_url(request, "code"))
    if not delivery_code_spoken(delivery_id=delivery.id):
        return apology_xml(locale=locale)
    return code_xml(code=code, locale=locale)


@call_step
def voice_code(request, delivery):
    """The key press arrived: now read the code, once, while the call is live."""
    code = _readable_code(delivery)
    if code is None or not delivery_code_spoken(delivery_id=delivery.id):
        return apology_xml(locale=delivery.verification.locale)
    return code_xml(code=code, locale=delivery.verification.locale)


@call_step
def voice_digits(request, delivery):
    """Keypad mode: the digits typed on the phone count as a check."""
    verification = delivery.verification
    code_length = len(_readable_code(delivery) or "") or app_settings.CODE_LENGTH
    actor = Actor(type=ActorType.PHONE, name=str(delivery.id))
    delivery_code_spoken(delivery_id=delivery.id)  # someone typed: a person, not a voicemail
    result = verification_check(
        verification_id=verification.id, code=request.POST.get("Digits", "").strip("#"), actor=actor
    )
    if result.refused:
        return apology_xml(locale=verification.locale)
    if result.valid or result.status != "pending":
        return keypad_done_xml(locale=verification.locale, approved=result.valid)
    return keypad_xml(
        locale=verification.locale, action_url=_sibling_url(request, "digits"), num_digits=code_length, retry=True
    )


def _duration(value):
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return None


@require_POST
@plivo_webhook
def voice_hangup(request, delivery_id):
    delivery = _delivery(delivery_id, "call")
    status = CALL_STATUSES.get(request.POST.get("CallStatus", ""))
    if delivery is not None and status is not None:
        # Plivo's own cause (https://www.plivo.com/docs/voice/troubleshooting/hangup-causes/):
        # e.g. 4010 "End Of XML Instructions" from "Plivo", 7011 "Error Reaching Answer URL" from "Error".
        code = request.POST.get("HangupCauseCode", "").strip()
        name = request.POST.get("HangupCauseName", "").strip()
        source = request.POST.get("HangupSource", "").strip()
        delivery_record_status(
            delivery_id=delivery.id,
            status=status,
            hangup_cause=request.POST.get("HangupCause", ""),
            hangup_cause_code=code if code.isdigit() else "",
            hangup_cause_name=name,
            hangup_source=source,
            duration=_duration(request.POST.get("Duration")),
            # An answered call that Plivo ended on an error (our URL or XML) says so.
            error=f"Plivo hung up: {code} {name}".strip() if source == "Error" else "",
        )
    return HttpResponse(status=204)


@require_POST
@plivo_webhook
def sms_status(request, delivery_id):
    delivery = _delivery(delivery_id, "sms")
    status = SMS_STATUSES.get(request.POST.get("Status", ""))
    if delivery is not None and status is not None:
        error_code = request.POST.get("ErrorCode", "")
        delivery_record_status(
            delivery_id=delivery.id,
            status=status,
            provider_id=request.POST.get("MessageUUID", ""),
            error=f"Carrier error code {error_code}" if error_code and error_code != "000" else "",
        )
    return HttpResponse(status=204)
