"""The API's errors: the rules' named exceptions in the drf-standardized-errors shape."""

from drf_standardized_errors.handler import (
    exception_handler as standardized_exception_handler,
)
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail

from ..exceptions import Throttled, VerificationError
from ..health import unavailable
from .exceptions import Conflict, ServiceUnavailableError


def to_api_exception(exc):
    """Turn a rule's exception into the DRF exception with the same status and code."""
    if isinstance(exc, Throttled):
        return exceptions.Throttled(wait=exc.retry_after, detail=exc.detail, code=exc.code)
    if exc.status_code == 400:
        return exceptions.ValidationError({exc.attr or "non_field_errors": [ErrorDetail(exc.detail, code=exc.code)]})
    if exc.status_code == 404:
        return exceptions.NotFound(exc.detail, code=exc.code)
    if exc.status_code == 409:
        return Conflict(exc.detail, code=exc.code)
    if exc.status_code == 503:
        return ServiceUnavailableError(exc.detail, code=exc.code, wait=exc.retry_after)
    return exceptions.APIException(exc.detail, code=exc.code)


def exception_handler(exc, context):
    exc = unavailable(exc) or exc  # Redis, the broker or the database down: 503, never 500
    if isinstance(exc, VerificationError):
        exc = to_api_exception(exc)
    return standardized_exception_handler(exc, context)
