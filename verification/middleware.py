"""A dependency that is down is a 503 with Retry-After, never a 500; a body too large is a 413."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
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


def too_large_response(request, limit):
    if request.path.startswith("/api/"):
        detail = f"The request body is over {limit // 1024} KiB." if limit else "The request body is too large."
        body = {"type": "client_error", "errors": [{"code": "payload_too_large", "detail": detail, "attr": None}]}
        return JsonResponse(body, status=413)
    return HttpResponse("Request body too large.\n", status=413, content_type="text/plain; charset=utf-8")


class RequestTooLargeMiddleware:
    """A body over the limit is 413, never a 500 (nor Django's 400 for RequestDataTooBig):
    the API's error shape under /api/, plain text elsewhere (pages, Plivo's callbacks).

    The declared Content-Length is looked at before anything reads the body (CSRF
    middleware, a view's request.POST, DRF's parsing); a RequestDataTooBig that a view
    still raises is turned into the same answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request)
        if limit is not None and declared_body_length(request) > limit:
            return too_large_response(request, limit)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request, body_limit(request))
        return None
