"""The sandbox's HTTP face: Plivo's Call and Message APIs, the inbox, the keypad."""

import functools
import json
import re
import uuid

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import records, simulator
from .access import phone_reader
from .callbacks import method_or_default
from .calls import CallUrls
from .models import ACTIVE_CALL_STATUSES, Channel, InboxEntry
from .wire import (
    ApiError,
    Outcome,
    api_response,
    bool_param,
    check_basic_auth,
    error_response,
    normalise_number,
    read_params,
    required_number,
    required_text,
    url_param,
)

INBOX_LIMIT = 100


def _api_view(*methods):
    """Plivo API views: basic auth first, then the view; ApiError becomes Plivo's error JSON."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, auth_id, **kwargs):
            if request.method not in methods:
                return error_response(ApiError(405, f"Method {request.method} is not allowed here."))
            try:
                check_basic_auth(request, auth_id)
                params = read_params(request) if request.method == "POST" else request.GET.dict()
                return view(request, params, **kwargs)
            except ApiError as exc:
                return error_response(exc)

        return csrf_exempt(never_cache(wrapper))

    return decorate


def _refuse_by_outcome(number):
    outcome = Outcome.for_number(number)
    if outcome is Outcome.REJECTED:
        raise ApiError(400, "Destination number rejected by the API (sandbox: numbers ending in 97).")
    if outcome is Outcome.SERVER_ERROR:
        raise ApiError(500, "Internal server error (sandbox: numbers ending in 96).")


def _method_param(params, name):
    method = method_or_default(params.get(name))
    if method is None:
        raise ApiError(400, f"Invalid '{name}' parameter: GET or POST expected.")
    return method


@_api_view("POST")
def call_create(request, params):
    """Plivo's Make a Call: record the call, answer 201, carry it in the background."""
    from_number = required_number(params, "from")
    to_number = required_number(params, "to")
    urls = CallUrls(
        answer_url=url_param(params, "answer_url", required=True),
        answer_method=_method_param(params, "answer_method"),
        hangup_url=url_param(params, "hangup_url"),
        hangup_method=_method_param(params, "hangup_method"),
        ring_url=url_param(params, "ring_url"),
        ring_method=_method_param(params, "ring_method"),
        fallback_url=url_param(params, "fallback_url"),
        fallback_method=_method_param(params, "fallback_method"),
    )
    _refuse_by_outcome(to_number)
    entry = InboxEntry.objects.create(channel=Channel.CALL, to_number=to_number, from_number=from_number)
    if Outcome.for_number(to_number) is not Outcome.SILENT:  # 93: accepted, then never placed
        simulator.place_call(entry, urls)
    return api_response(201, message="call fired", request_uuid=str(entry.pk))


@_api_view("POST")
def message_create(request, params):
    """Plivo's Send a Message: record the SMS, answer 202, report its status in the background."""
    from_number = required_number(params, "src")
    to_number = required_number(params, "dst")
    text = required_text(params, "text")
    status_url = url_param(params, "url")
    method = _method_param(params, "method")
    # Plivo keeps the text in its logs (7 days) unless `log` is "false": recorded to show what was asked.
    log = bool_param(params, "log", default=True)
    _refuse_by_outcome(to_number)
    silent = Outcome.for_number(to_number) is Outcome.SILENT  # 93: accepted, then never sent
    entry = InboxEntry.objects.create(
        channel=Channel.SMS,
        to_number=to_number,
        from_number=from_number,
        text="" if silent else text,  # the phone never receives a silent SMS
        units=records.sms_units(text),
        logged=log,
        requester_ip=request.META.get("REMOTE_ADDR") or None,
    )
    if not silent:
        simulator.send_sms(entry, status_url, method)
    return api_response(202, message="message(s) queued", message_uuid=[str(entry.pk)])


def _not_found():
    return error_response(ApiError(404, "not found"))


@_api_view("GET")
def call_get(request, params, call_uuid):
    """Plivo's Retrieve a Call: the call detail record once the call has ended, else 404.

    With `?status=live` it is the Live Call API (a call in progress), with
    `?status=queued` the Queued Call API (a call requested and not yet placed).
    """
    entry = InboxEntry.objects.filter(pk=_uuid_or_none(call_uuid), channel=Channel.CALL).first()
    describe = {"live": records.live_call, "queued": records.queued_call}.get(params.get("status"), records.call_detail)
    record = describe(entry) if entry is not None else None
    return _not_found() if record is None else api_response(200, **record)


@_api_view("GET")
def message_get(request, params, message_uuid):
    """Plivo's Retrieve a Message: the message detail record, or 404."""
    entry = InboxEntry.objects.filter(pk=_uuid_or_none(message_uuid), channel=Channel.SMS).first()
    record = records.message_detail(entry) if entry is not None else None
    return _not_found() if record is None else api_response(200, **record)


def _uuid_or_none(value):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@never_cache
@phone_reader(json=True)
@require_GET
def inbox(request):
    """What the simulated phones received, newest first; `?to=` keeps one number's."""
    entries = InboxEntry.objects.order_by("-created_at")
    if "to" in request.GET:
        number = normalise_number(request.GET["to"])
        if number is None:
            return JsonResponse({"error": "'to' must be a phone number, e.g. +14155550123."}, status=400)
        entries = entries.filter(to_number=number)
    return JsonResponse([_entry_json(entry) for entry in entries[:INBOX_LIMIT]], safe=False)


@csrf_exempt
@never_cache
@phone_reader(json=True)
@require_POST
def call_press(request, entry_id):
    """Type `digits` on the keypad of a call in progress; its next GetDigits takes them."""
    digits = _read_digits(request)
    if digits is None:
        return JsonResponse({"error": "'digits' must be 1 to 32 of 0-9, * and #."}, status=400)
    calls = InboxEntry.objects.filter(pk=entry_id, channel=Channel.CALL)
    if calls.filter(status__in=ACTIVE_CALL_STATUSES).update(pressed_digits=digits):
        return JsonResponse({"id": str(entry_id), "status": "accepted"}, status=202)
    if calls.exists():
        return JsonResponse({"error": "The call is not in progress."}, status=409)
    return JsonResponse({"error": "No such call."}, status=404)


def _read_digits(request):
    if request.content_type == "application/json":
        try:
            digits = json.loads(request.body or b"{}").get("digits")
        except (ValueError, UnicodeDecodeError, AttributeError):
            return None
    else:
        digits = request.POST.get("digits")
    if isinstance(digits, int) and not isinstance(digits, bool):
        digits = str(digits)
    if not isinstance(digits, str) or not re.fullmatch(r"[0-9*#]{1,32}", digits.strip()):
        return None
    return digits.strip()


def _entry_json(entry):
    return {
        "id": str(entry.pk),
        "channel": entry.channel,
        "to": entry.to_number,
        "from": entry.from_number,
        "text": entry.text,
        "status": entry.status,
        "created_at": entry.created_at.isoformat(),
    }
