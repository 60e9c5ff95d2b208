"""The sandbox's PHLO runner: runs an OTP PHLO like the one in Plivo's guides.

That PHLO takes `from`, `to`, `otp` and `mode` (`call` or `sms`) and calls
the number to read the code, or texts it. The sandbox records what the
person would hear or read, as for a call or an SMS over the REST API.
"""

import re

from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .models import Channel, EntryStatus, InboxEntry
from .views import _refuse_by_outcome
from .wire import (
    ApiError,
    Outcome,
    api_response,
    check_basic_auth,
    error_response,
    read_params,
    required_number,
)

OUTCOME_STATUS = {
    Channel.CALL: {Outcome.NO_ANSWER: EntryStatus.NO_ANSWER, Outcome.BUSY: EntryStatus.BUSY},
    Channel.SMS: {Outcome.NO_ANSWER: EntryStatus.UNDELIVERED, Outcome.BUSY: EntryStatus.FAILED},
}


def phlo_text(mode, otp):
    """What the guide's PHLO says (digit by digit, twice) or writes."""
    if mode == Channel.CALL:
        digits = ", ".join(otp)
        return f"Your verification code is: {digits}. Once again, your code is: {digits}."
    return f"Your verification code is {otp}."


@csrf_exempt
@never_cache
def run_phlo(request, auth_id, phlo_id):
    """POST .../account/{auth_id}/phlo/{phlo_id}/: run the OTP PHLO once."""
    if request.method != "POST":
        return error_response(ApiError(405, f"Method {request.method} is not allowed here."))
    try:
        check_basic_auth(request, auth_id)
        params = read_params(request)
        from_number = required_number(params, "from")
        to_number = required_number(params, "to")
        otp, mode = str(params.get("otp", "")), params.get("mode")
        if not re.fullmatch(r"[0-9]{4,10}", otp):
            raise ApiError(400, "Invalid 'otp' parameter: 4 to 10 digits expected.")
        if mode not in (Channel.CALL, Channel.SMS):
            raise ApiError(400, "Invalid 'mode' parameter: 'call' or 'sms' expected.")
        _refuse_by_outcome(to_number)
    except ApiError as exc:
        return error_response(exc)
    success = EntryStatus.COMPLETED if mode == Channel.CALL else EntryStatus.DELIVERED
    outcome = Outcome.for_number(to_number)
    status = OUTCOME_STATUS[mode].get(outcome, success)
    if outcome is Outcome.SILENT:  # 93: the run is accepted, and then nothing happens
        status = EntryStatus.QUEUED
    entry = InboxEntry.objects.create(
        channel=mode,
        to_number=to_number,
        from_number=from_number,
        text=phlo_text(mode, otp) if status == success else "",
        status=status,
        ended_at=None if status == EntryStatus.QUEUED else timezone.now(),
    )
    return api_response(201, phlo_id=phlo_id, name="otp", message=f"Request has been executed ({entry.pk})")
