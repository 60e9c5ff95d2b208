"""The OpenAPI description of the API's errors, so the schema tells the truth.

drf-standardized-errors documents the errors DRF raises by itself; ours (409
with the reason, 413, 422, 429 from the verification rules) are added here.
"""

import inspect

from drf_spectacular.utils import extend_schema as spectacular_extend_schema
from drf_standardized_errors.openapi import AutoSchema
from rest_framework import serializers

from ..exceptions import DeliveryBlocked, KeypadOnly, VerificationNotPending

ERROR_TYPES = ["validation_error", "client_error", "server_error"]


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ERROR_TYPES)
    errors = ErrorSerializer(many=True)


class ConflictErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[code for code, _ in VerificationNotPending.CODES.values()]
        + [KeypadOnly.code, "idempotency_key_in_use"]
    )
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ConflictErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["client_error"])
    errors = ConflictErrorSerializer(many=True)


class ForbiddenErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["permission_denied", DeliveryBlocked.code])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ForbiddenErrorResponseSerializer(serializers.Serializer):
    """A 403: a key without permission (`client_error`), or the fraud guard's block of the
    number (`validation_error`, `delivery_blocked` on `phone_number`, as it names a field)."""

    type = serializers.ChoiceField(choices=["client_error", "validation_error"])
    errors = ForbiddenErrorSerializer(many=True)


class VerificationAutoSchema(AutoSchema):
    def _should_add_error_response(self, responses, status_code):
        # The parent skips views whose handler is not its own; ours wraps its own.
        if status_code in responses:
            return False
        decide = {
            "400": lambda: self._should_add_parse_error_response() or self._should_add_validation_error_response(),
            "401": self._should_add_http401_error_response,
            "403": self._should_add_http403_error_response,
            "404": self._should_add_http404_error_response,
            "405": self._should_add_http405_error_response,
            "406": self._should_add_http406_error_response,
            "415": self._should_add_http415_error_response,
        }.get(status_code)
        return decide() if decide else True

    def _map_basic_serializer(self, serializer, direction):
        # drf-spectacular marks every read-only field required; a field an answer may leave
        # out (keypad_code outside keypad mode) must not be, or the schema promises what GET,
        # create and cancel do not send.
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(serializer, "optional_in_response", ()))
        if direction == "response" and optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def get_description(self):
        # drf-spectacular falls back on base classes' docstrings: ApiView's, written for maintainers,
        # would be every operation's description. An operation says only what its own view says.
        method = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        own = method.__doc__ if method is not None else None
        own = own or self.view.__class__.__dict__.get("__doc__")
        return inspect.cleandoc(own) if own else ""

    def _should_add_http404_error_response(self):
        return True  # an unknown or another key's verification; no pending one for a number


def forbid_unknown_fields(result, generator, request, public):
    """drf-spectacular's postprocessing hook: every request body refuses a field it does not
    name (`400 unknown_field`), so its schema says `additionalProperties: false`; a client
    generated from the document would otherwise send what the API refuses."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Seconds to wait before trying again.",
    }
}


def document_retry_after(result, generator, request, public):
    """drf-spectacular's postprocessing hook: every 429 and 503 carries `Retry-After`, as sent."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status in ("429", "503"):
                    response.setdefault("headers", {}).update(RETRY_AFTER)
    return result


def extend_schema(**kwargs):
    """drf-spectacular's `extend_schema` for a view method, over this API's AutoSchema: on a
    method it bases the operation's schema on the site's DEFAULT_SCHEMA_CLASS, which in a
    site that installs the app may be DRF's own (or none), and the document then fails."""

    def decorator(method):
        method.kwargs = {**getattr(method, "kwargs", {}), "schema": VerificationAutoSchema}
        return spectacular_extend_schema(**kwargs)(method)

    return decorator
