"""A dependency that is down is a 503 with Retry-After, never a 500."""

import logging

from django.http import JsonResponse
from django.template.response import TemplateResponse

from .health import unavailable

logger = logging.getLogger(__name__)


def unavailable_response(request, exc):
    """The API's error shape under /api/, a plain 'try again in a moment' page elsewhere."""
    if request.path.startswith("/api/"):
        body = {"type": "server_error", "errors": [{"code": exc.code, "detail": exc.detail, "attr": None}]}
        response = JsonResponse(body, status=exc.status_code)
    else:
        response = TemplateResponse(request, "503.html", {"retry_after": exc.retry_after}, status=exc.status_code)
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
