"""Plivo's REST wire protocol as the sandbox speaks it: auth, bodies, errors, outcomes."""

import base64
import binascii
import enum
import json
import re
import uuid
from urllib.parse import unquote, urlsplit

from django.http import JsonResponse
from django.utils.crypto import constant_time_compare

from verification.conf import app_settings


class Outcome(enum.Enum):
    """What happens to a call or SMS, chosen by the destination's last two digits."""

    ANSWERED = "answered"  # or delivered, for an SMS
    NO_ANSWER = "99"  # or undelivered
    BUSY = "98"  # or, for an SMS, failed before reaching the carrier
    REJECTED = "97"  # the API answers 400
    SERVER_ERROR = "96"  # the API answers 500
    VOICEMAIL = "95"  # answered by a voicemail: nobody ever presses a key
    HASH_ONLY = "94"  # the person presses only '#' whenever asked for keys
    SILENT = "93"  # accepted by the API, then never placed or sent and never reported

    @classmethod
    def for_number(cls, number):
        try:
            return cls(number[-2:])
        except ValueError:
            return cls.ANSWERED


class ApiError(Exception):
    """An error answered as Plivo does: a status and `{"api_id", "error"}`."""

    def __init__(self, status, error):
        super().__init__(error)
        self.status = status
        self.error = error


def api_response(status, **body):
    return JsonResponse({"api_id": str(uuid.uuid4()), **body}, status=status)


def error_response(exc):
    return api_response(exc.status, error=exc.error)


def basic_auth_matches(request):
    """True if the request carries the sandbox's auth id and token in HTTP basic auth."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        user = password = ""
    auth_id, auth_token = app_settings.auth_id, app_settings.auth_token
    return (
        scheme.lower() == "basic"
        and bool(auth_id and auth_token)
        and constant_time_compare(user, auth_id)
        and constant_time_compare(password, auth_token)
    )


def check_basic_auth(request, path_auth_id):
    """Raise a 401 unless the request carries the configured auth id and token."""
    valid = basic_auth_matches(request) and constant_time_compare(path_auth_id, app_settings.auth_id)
    if not valid:
        raise ApiError(401, "Authentication failed: check your auth id and auth token.")


def read_params(request):
    """The request's parameters: JSON as the SDK sends them, or a form."""
    if request.content_type == "application/json":
        try:
            params = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The request body is not valid JSON.") from None
        if not isinstance(params, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        return params
    return request.POST.dict()


def required_number(params, name):
    """A phone number parameter in E.164, returned as '+' and its digits."""
    value = params.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"Missing mandatory parameter '{name}'.")
    if "<" in value:
        raise ApiError(400, f"'{name}': the sandbox sends to one number at a time.")
    number = normalise_number(value)
    if number is None:
        raise ApiError(400, f"Invalid '{name}' parameter: {value!r} is not a phone number.")
    return number


def normalise_number(value):
    """'+14155550123', ' 14155550123' (a '+' decoded from a query) and '14155550123' alike."""
    digits = value.strip().lstrip("+")
    if not re.fullmatch(r"[0-9]{4,15}", digits):
        return None
    return "+" + digits


_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters that parsers read differently (a backslash, spaces, control characters):
# a URL holding one is refused rather than guessed at.
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")


def _origin_and_path(url):
    """(scheme, host, port, path) of an http(s) URL, or None if it is not one."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[parts.scheme], parts.path


def is_under_public_base_url(url):
    """True if the sandbox may request `url`: same scheme, host and port as PUBLIC_BASE_URL, and under its path.

    The sandbox stands in for Plivo, which only ever calls this site: it never
    requests anything else, so the API cannot be used to reach other hosts or
    ports (server-side request forgery).
    """
    if not isinstance(url, str) or _AMBIGUOUS.search(url):
        return False
    url = url.split("#", 1)[0]  # the fragment configures retries; it is never sent
    try:
        target, base = _origin_and_path(url), _origin_and_path(app_settings.public_base_url)
        userinfo = "@" in urlsplit(url).netloc
    except (TypeError, ValueError):
        return False
    if target is None or base is None or userinfo or target[:3] != base[:3]:
        return False
    path, prefix = target[3] or "/", base[3].rstrip("/")
    segments = unquote(path).split("/")
    if "." in segments or ".." in segments:
        return False
    return not prefix or path == prefix or path.startswith(prefix + "/")


def url_param(params, name, *, required=False):
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise ApiError(400, f"Missing mandatory parameter '{name}'.")
        return None
    # Lenient on hosts on purpose: "http://web:8000" in a compose network is fine,
    # as long as it is PUBLIC_BASE_URL.
    try:
        parts = urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except (TypeError, ValueError, AttributeError):
        valid = False
    if not valid:
        raise ApiError(400, f"Invalid '{name}' parameter: not an http(s) URL.")
    if not is_under_public_base_url(value):
        raise ApiError(
            400,
            f"Invalid '{name}' parameter: the sandbox only requests URLs under PUBLIC_BASE_URL "
            f"({app_settings.public_base_url}/).",
        )
    return value


def bool_param(params, name, *, default):
    """A true/false parameter: the SDK sends the strings "true" and "false" (JSON booleans are taken too)."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ApiError(400, f"Invalid '{name}' parameter: 'true' or 'false' expected.")


def required_text(params, name):
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise ApiError(400, f"Missing mandatory parameter '{name}'.")
    return value

