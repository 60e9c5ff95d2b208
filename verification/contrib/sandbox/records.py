"""What Plivo records about a call or an SMS, as its callbacks and its Call and Message APIs show it.

Hangup causes come from Plivo's list (https://www.plivo.com/docs/voice/troubleshooting/hangup-causes/):
a code, its name, and the source that hung up. Call detail records follow "Retrieve a call"
(https://www.plivo.com/docs/voice/api/call/retrieve-a-call/), live and queued calls the
Live and Queued Call APIs, and message detail records "The Message object"
(https://www.plivo.com/docs/messaging/api/message/the-message-object/).
"""

import dataclasses
import math
import uuid
from decimal import ROUND_HALF_UP, Decimal

import phonenumbers

from verification.conf import app_settings

from .models import Channel, EntryStatus

# Plivo's hangup causes that the sandbox can end a call with: code -> name.
HANGUP_CAUSES = {
    3000: "No Answer",
    3010: "Busy Line",
    3020: "Rejected",
    4000: "Normal Hangup",
    4010: "End Of XML Instructions",
    6010: "Ring Timeout Reached",
    7011: "Error Reaching Answer URL",
    7012: "Error Reaching Action URL",
    7014: "Error Reaching Redirect URL",
    7032: "Invalid Method For Action URL",
    7034: "Invalid Method For Redirect URL",
    8011: "Invalid Answer XML",
    8012: "Invalid Action XML",
    8014: "Invalid Redirect XML",
}
# Who hung up, as Plivo names it in HangupSource and hangup_source.
SOURCE_PLIVO = "Plivo"
SOURCE_CARRIER = "Carrier"
SOURCE_ANSWER_XML = "Answer XML"
SOURCE_ERROR = "Error"

# The sandbox's prices (US rates in Plivo's documentation's examples), as Plivo writes money.
CALL_RATE_PER_MINUTE = Decimal("0.00850")
SMS_RATE_PER_UNIT = Decimal("0.00500")
# The ITU's test network (MCC 001, MNC 01): every sandbox phone is on it.
TEST_MCC, TEST_MNC = "001", "01"
# Plivo's SMS error code 20, "Network Error": the carrier could not deliver the message
# (https://www.plivo.com/docs/messaging/troubleshooting/error-codes/).
NETWORK_ERROR = "20"


@dataclasses.dataclass(frozen=True)
class Ending:
    """How a call ended: the sandbox's status and what Plivo says about it."""

    status: str  # the inbox entry's status
    call_status: str  # CallStatus in the hangup callback
    cause: str  # HangupCause: the standard telephony cause
    code: int  # HangupCauseCode
    source: str  # HangupSource

    @property
    def name(self):
        return HANGUP_CAUSES[self.code]


# Rang until the ring timeout (120 s by default) without an answer.
NO_ANSWER = Ending(EntryStatus.NO_ANSWER, "no-answer", "NO_ANSWER", 6010, SOURCE_PLIVO)
BUSY = Ending(EntryStatus.BUSY, "busy", "USER_BUSY", 3010, SOURCE_CARRIER)
# A <Hangup/> in the app's XML.
HUNG_UP = Ending(EntryStatus.COMPLETED, "completed", "NORMAL_CLEARING", 4000, SOURCE_ANSWER_XML)
# The app's XML ran out: Plivo hangs up.
END_OF_XML = Ending(EntryStatus.COMPLETED, "completed", "NORMAL_CLEARING", 4010, SOURCE_PLIVO)

# The answer, action and redirect URLs (a fallback URL stands in for the answer URL).
UNREACHABLE = {"answer": 7011, "action": 7012, "redirect": 7014}
INVALID_XML = {"answer": 8011, "action": 8012, "redirect": 8014}
INVALID_METHOD = {"action": 7032, "redirect": 7034}


def url_error(kind, *, invalid_xml=False, invalid_method=False):
    """An answered call that Plivo hung up on because a URL of `kind` gave no usable XML."""
    table = INVALID_METHOD if invalid_method else INVALID_XML if invalid_xml else UNREACHABLE
    return Ending(EntryStatus.FAILED, "completed", "NORMAL_CLEARING", table[kind], SOURCE_ERROR)


def billed_seconds(duration):
    """Plivo bills calls by the started minute."""
    return 60 * math.ceil((duration or 0) / 60)


def money(amount):
    return str(Decimal(amount).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))


def call_cost(duration):
    return money(CALL_RATE_PER_MINUTE * billed_seconds(duration) / 60)


def sms_units(text):
    """How many parts Plivo splits `text` into: 160 GSM-7 characters in one, 153 a part beyond; 70/67 in UCS-2."""
    if all(character in _GSM_BASIC or character in _GSM_EXTENDED for character in text):
        length = sum(2 if character in _GSM_EXTENDED else 1 for character in text)
        single, part = 160, 153
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if length <= single else math.ceil(length / part)


_GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = "^{}\\[~]|€\f"


def api_id():
    return str(uuid.uuid4())


def callback_time(moment):
    """Times in call callbacks: 'YYYY-MM-DD HH:MM:SS', UTC; empty when it did not happen."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def sms_callback_time(moment):
    """Times in SMS status callbacks: 'YYYY-mm-dd HH:MM:SS.SSSSSS', UTC; empty when it did not happen."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if moment else ""


def record_time(moment, *, micro=False):
    """Times in the Call and Message APIs: local time with its offset (the sandbox's is UTC)."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f+00:00" if micro else "%Y-%m-%d %H:%M:%S+00:00")


def _resource_uri(kind, identifier):
    return f"/v1/Account/{app_settings.auth_id}/{kind}/{identifier}/"


def call_detail(entry):
    """The call detail record `GET .../Call/{uuid}/` answers, or None (404) while there is none."""
    if entry.channel != Channel.CALL or entry.ended_at is None or entry.hangup_cause_code is None:
        return None
    duration = entry.duration_seconds or 0
    record = {
        "answer_time": record_time(entry.answered_at),
        "bill_duration": duration,
        "billed_duration": billed_seconds(duration),
        "call_direction": "outbound",
        "call_duration": duration,
        "call_uuid": str(entry.pk),
        "conference_uuid": None,
        "end_time": record_time(entry.ended_at),
        "from_number": entry.from_number,
        "hangup_cause_code": entry.hangup_cause_code,
        "hangup_cause_name": HANGUP_CAUSES.get(entry.hangup_cause_code, "Unknown"),
        "hangup_source": entry.hangup_source,
        "initiation_time": record_time(entry.created_at),
        "parent_call_uuid": None,
        "resource_uri": _resource_uri("Call", entry.pk),
        "stir_verification": "Not Applicable",
        "to_number": entry.to_number.lstrip("+"),
        "total_amount": call_cost(duration),
        "total_rate": money(CALL_RATE_PER_MINUTE),
    }
    if entry.answered_at is not None:
        record["call_state"] = "ANSWER"  # the only call_state Plivo's documentation shows
    return record


def live_call(entry):
    """What `GET .../Call/{uuid}/?status=live` answers for a call in progress, or None (404)."""
    if entry.channel != Channel.CALL or entry.status != EntryStatus.IN_PROGRESS:
        return None
    return {
        "call_status": "in-progress",
        "call_uuid": str(entry.pk),
        "caller_name": "",
        "direction": "outbound",
        "from": entry.from_number,
        "request_uuid": str(entry.pk),
        "session_start": (entry.answered_at or entry.created_at).strftime("%Y-%m-%d %H:%M:%S.%f"),
        "to": entry.to_number.lstrip("+"),
    }


def queued_call(entry):
    """What `GET .../Call/{uuid}/?status=queued` answers for a call not yet placed, or None (404)."""
    if entry.channel != Channel.CALL or entry.status != EntryStatus.QUEUED:
        return None
    return {
        "call_status": "queued",
        "call_uuid": str(entry.pk),
        "caller_name": "",
        "direction": "outbound",
        "from": entry.from_number,
        "request_uuid": str(entry.pk),
        "to": entry.to_number.lstrip("+"),
    }


def message_state(entry):
    """The SMS's state as Plivo names it: queued, sent, delivered, undelivered or failed."""
    if entry.status == EntryStatus.QUEUED:
        return "sent" if entry.sent_at else "queued"
    return str(entry.status)


def message_detail(entry):
    """The message detail record `GET .../Message/{uuid}/` answers, or None (404)."""
    if entry.channel != Channel.SMS:
        return None
    state = message_state(entry)
    return {
        "destination_country_iso2": _country(entry.to_number),
        "error_code": entry.error_code or None,
        "error_message": "",
        "from_number": entry.from_number.lstrip("+"),
        "message_direction": "outbound",
        "message_sent_time": record_time(entry.sent_at, micro=True),
        "message_state": state,
        "message_time": record_time(entry.created_at),
        "message_type": "sms",
        "message_updated_time": record_time(entry.ended_at or entry.sent_at or entry.created_at, micro=True),
        "message_uuid": str(entry.pk),
        "requester_ip": entry.requester_ip or "",
        "resource_uri": _resource_uri("Message", entry.pk),
        "to_number": entry.to_number.lstrip("+"),
        "total_amount": sms_amount(entry),
        "total_rate": money(SMS_RATE_PER_UNIT),
        "units": entry.units,
    }


def sms_amount(entry):
    return money(0 if entry.status == EntryStatus.FAILED else SMS_RATE_PER_UNIT * entry.units)


def _country(number):
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or ""
    except phonenumbers.NumberParseException:
        return ""
