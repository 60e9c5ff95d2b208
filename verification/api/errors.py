"""The API's errors: the rules' named exceptions in the drf-standardized-errors shape."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from drf_standardized_errors.handler import ExceptionHandler as StandardizedExceptionHandler
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from ..exceptions import Throttled, VerificationError
from ..health import unavailable
from .exceptions import Conflict, Forbidden, PayloadTooLarge, ServiceUnavailableError
from .parsers import MAX_BODY_BYTES

logger = logging.getLogger(__name__)


def to_api_exception(exc):
    """Turn a rule's exception into the DRF exception with the same status and code."""
    if isinstance(exc, Throttled):
        # Our detail already ends in the wait, in words; DRF would add it a second time, in seconds.
        throttled = exceptions.Throttled(detail=exc.detail, code=exc.code)
        throttled.wait = exc.retry_after  # Retry-After, in seconds
        return throttled
    if exc.status_code == 400:
        return exceptions.ValidationError({exc.attr or "non_field_errors": [ErrorDetail(exc.detail, code=exc.code)]})
    if exc.status_code == 403:
        return Forbidden({exc.attr or "non_field_errors": [ErrorDetail(exc.detail, code=exc.code)]})
    if exc.status_code == 404:
        return exceptions.NotFound(exc.detail, code=exc.code)
    if exc.status_code == 409:
        return Conflict(exc.detail, code=exc.code)
    if exc.status_code == 503:
        return ServiceUnavailableError(exc.detail, code=exc.code, wait=exc.retry_after)
    return exceptions.APIException(exc.detail, code=exc.code)


class ExceptionHandler(StandardizedExceptionHandler):
    """drf-standardized-errors' handler, knowing our rules' exceptions and dependency outages."""

    def convert_known_exceptions(self, exc):
        exc = unavailable(exc) or exc  # Redis, the broker or the database down: 503, never 500
        if isinstance(exc, VerificationError):
            return to_api_exception(exc)
        if isinstance(exc, RequestDataTooBig):  # Django's own limit, met before our parser's: 413, not 500
            limit = min(MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_BODY_BYTES)
            return PayloadTooLarge(f"The request body is over {limit // 1024} KiB.")
        return super().convert_known_exceptions(exc)

    def format_exception(self, exc):
        # An error of no one field (a body that is a list, not an object) names none: `attr` is
        # null, as the contract's shape says, not DRF's "non_field_errors".
        data = super().format_exception(exc)
        for error in data.get("errors", []):
            if error.get("attr") == api_settings.NON_FIELD_ERRORS_KEY:
                error["attr"] = None
        return data

    def report_exception(self, exc, response):
        if isinstance(exc, ServiceUnavailableError):
            # An outage, not a bug: one warning per request, no error report (and no traceback) each.
            logger.warning("503 %s: %s", getattr(self.context.get("request"), "path", ""), self.exc)
            return
        super().report_exception(exc, response)


def exception_handler(exc, context):
    """The API views' handler (set on them, so another site's REST_FRAMEWORK cannot change it)."""
    return ExceptionHandler(exc, context).run()
