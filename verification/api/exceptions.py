"""HTTP errors of the API that DRF does not have."""

from rest_framework import exceptions, status


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The verification is not in a state that allows this."
    default_code = "conflict"


class UnprocessableEntity(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class ServiceUnavailableError(exceptions.APIException):
    """A dependency is down; `wait` becomes Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable. Try again in a moment."
    default_code = "service_unavailable"

    def __init__(self, detail=None, code=None, *, wait):
        super().__init__(detail, code)
        self.wait = wait


class Forbidden(exceptions.ValidationError):
    """A 403 that names its field (drf-standardized-errors keeps `attr` only for validation errors):
    the fraud guard's `delivery_blocked` on `phone_number`."""

    status_code = status.HTTP_403_FORBIDDEN
