"""A dependency that is down is a 503 with Retry-After, never a 500; a body too large is a 413;
the Content-Security-Policy header built once, not on every response."""

import io
import logging
import select

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream
from django.core.signals import setting_changed
from django.db import connections
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from .api.parsers import MAX_BODY_BYTES
from .health import unavailable

logger = logging.getLogger(__name__)


def unavailable_response(request, exc):
    """The API's error shape under /api/, a plain 'try again in a moment' page elsewhere."""
    if request.path.startswith("/api/"):
        body = {"type": "server_error", "errors": [{"code": exc.code, "detail": exc.detail, "attr": None}]}
        response = JsonResponse(body, status=exc.status_code)
    else:
        response = TemplateResponse(request, "verification/503.html", {"retry_after": exc.retry_after}, status=exc.status_code)
        response.render()
    response["Retry-After"] = str(exc.retry_after)
    return response


class DependencyUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        exc = unavailable(exception)
        if exc is None:
            return None
        logger.warning("%s unavailable on %s: %s", exc.dependency, request.path, exception)
        return unavailable_response(request, exc)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, with a session that cannot be saved because the database is out of reach
    (or, on SQLite, locked past its timeout) answered as any outage is: the 503 page, not a
    500. The session is saved after the view, where DependencyUnavailableMiddleware's
    process_exception never sees an error: Django turned it into its 500 page first."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except Exception as exception:
            exc = unavailable(exception)
            if exc is None:
                raise
            logger.warning("%s unavailable saving the session on %s: %s", exc.dependency, request.path, exception)
            return unavailable_response(request, exc)


def connection_is_quiet(connection):
    """Whether a kept PostgreSQL connection is as healthy as `SELECT 1` would find it, told
    without a round trip: open, idle outside any transaction, and its socket with nothing
    to read. A server that restarts, or ends the connection (pg_terminate_backend, an idle
    timeout), sends its reason and closes the socket, which makes it readable; anything at
    all to read, or anything unusual, and Django's own `SELECT 1` decides."""
    raw = connection.connection
    pgconn = getattr(raw, "pgconn", None)
    if connection.vendor != "postgresql" or pgconn is None or raw.closed or getattr(raw, "broken", False):
        return False  # psycopg 2, or another database: Django's own check
    import psycopg
    from psycopg import pq

    if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (OSError, ValueError, psycopg.Error):
        return False


class ConnectionCheckMiddleware:
    """`CONN_HEALTH_CHECKS` without its `SELECT 1` on every request: a kept connection that
    is quiet (above) counts as checked; any other is checked by Django as before, with a
    `SELECT 1`, and replaced if that fails. After an error Django checks it in any case."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for connection in connections.all(initialized_only=True):
            if (
                connection.connection is not None
                and connection.health_check_enabled
                and not connection.health_check_done
                and connection_is_quiet(connection)
            ):
                connection.health_check_done = True
        return self.get_response(request)


def declared_body_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django reads it: no body


def body_limit(request):
    """The largest body a path takes: Django's DATA_UPLOAD_MAX_MEMORY_SIZE, and under /api/
    the API's own (smaller) limit, so every API path answers the same for the same body."""
    limits = [settings.DATA_UPLOAD_MAX_MEMORY_SIZE]
    if request.path.startswith("/api/"):
        limits.append(MAX_BODY_BYTES)
    limits = [limit for limit in limits if limit is not None]
    return min(limits) if limits else None


def body_refused_response(request, status, code, detail, text=None):
    """A request refused for its body: the API's error shape under /api/, plain text (`text`,
    else `detail`) elsewhere (pages, Plivo's callbacks)."""
    if request.path.startswith("/api/"):
        body = {"type": "client_error", "errors": [{"code": code, "detail": detail, "attr": None}]}
        return JsonResponse(body, status=status)
    return HttpResponse((text or detail) + "\n", status=status, content_type="text/plain; charset=utf-8")


def too_large_response(request, limit):
    detail = f"The request body is over {limit // 1024} KiB." if limit else "The request body is too large."
    return body_refused_response(request, 413, "payload_too_large", detail, text="Request body too large.")


def is_chunked(request):
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not request.META.get("CONTENT_LENGTH")


def length_required_response(request):
    """A chunked body the server in front did not decode (runserver, make run): 411, not a
    body read as empty (which would be refused for fields it does hold)."""
    detail = "Send the body with a Content-Length: this server does not read chunked bodies."
    return body_refused_response(request, 411, "length_required", detail)


class RequestTooLargeMiddleware:
    """A body over the limit is 413, never a 500 (nor Django's 400 for RequestDataTooBig):
    the API's error shape under /api/, plain text elsewhere (pages, Plivo's callbacks).

    A chunked body (no Content-Length) that the server decoded (gunicorn says so with
    `wsgi.input_terminated`) is read here, up to the limit, and handed to Django whole;
    one it did not decode is 411.

    The declared Content-Length is looked at before anything reads the body (CSRF
    middleware, a view's request.POST, DRF's parsing); a RequestDataTooBig that a view
    still raises is turned into the same answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request)
        if is_chunked(request):
            if not request.environ.get("wsgi.input_terminated"):
                return length_required_response(request)
            body = request.environ["wsgi.input"].read(-1 if limit is None else limit + 1)
            if limit is not None and len(body) > limit:
                return too_large_response(request, limit)
            # Django reads CONTENT_LENGTH bytes, none without it: the body is given to it whole.
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        elif limit is not None and declared_body_length(request) > limit:
            return too_large_response(request, limit)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request, body_limit(request))
        return None


# What a view can set on its response to change its policy (csp.decorators); none set, and no
# nonce used, the header is the settings' own, the same string on every response.
CSP_RESPONSE_PARTS = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_policies = {}


@receiver(setting_changed)
def _forget_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


def settings_policies():
    """The header and the report-only header as the settings write them ("" for none)."""
    if not _policies:
        _policies["csp"] = build_policy()
        _policies["csp_ro"] = build_policy(report_only=True)
    return _policies["csp"], _policies["csp_ro"]


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, its headers built once from the settings: building them
    (two policies, every directive copied and joined) cost more than the rest of a plain
    view's middleware together. A response whose view changed its policy, or a page that
    used a nonce, is built as django-csp builds it."""

    def process_response(self, request, response):
        custom = getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in CSP_RESPONSE_PARTS
        )
        if custom or (settings.DEBUG and response.status_code in (404, 500)):
            return super().process_response(request, response)
        for header, policy, exempt, setting_name in zip(
            (HEADER, HEADER_REPORT_ONLY),
            settings_policies(),
            ("_csp_exempt", "_csp_exempt_ro"),
            ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
            strict=True,
        ):
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting_name, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error, not a silent miss.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
