"""`Idempotency-Key` on creates: a retried request answers with the verification the
first one made (its status code, and the verification as it is now), and sends nothing."""

import hashlib
import json
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from rest_framework import exceptions
from rest_framework.response import Response

from ..models import IdempotencyRecord, VerificationAttempt
from .exceptions import Conflict, UnprocessableEntity

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)  # a retry comes within minutes; a day is generous
# Printable ASCII, no space at either end (HTTP trims them): the OpenAPI document's pattern too.
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
KEY_MAX_LENGTH = 255


def body_hash(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(request, perform):
    """Run `perform()` once per (API key, Idempotency-Key); replay its answer after that."""
    key = request.headers.get(HEADER)
    if key is None:
        return perform()
    if len(key) > KEY_MAX_LENGTH or not re.fullmatch(KEY_PATTERN, key):
        raise exceptions.ValidationError({HEADER: ["Must be 1 to 255 printable ASCII characters (a UUID is best)."]})
    fingerprint = body_hash(request.data)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(api_key=request.auth, key=key, request_hash=fingerprint)
    except IntegrityError:
        record = IdempotencyRecord.objects.filter(api_key=request.auth, key=key).first()
        if record is None:  # the first request failed and let go of the key just now
            raise Conflict("A request with this Idempotency-Key is still running.", code="idempotency_key_in_use") from None
        if record.request_hash != fingerprint:
            raise UnprocessableEntity(
                "This Idempotency-Key was used with a different request body.", code="idempotency_key_reused"
            ) from None
        if record.response_status is None:
            raise Conflict("A request with this Idempotency-Key is still running.", code="idempotency_key_in_use") from None
        return Response(_replayed(record), status=record.response_status, headers={"Idempotent-Replayed": "true"})
    try:
        with transaction.atomic():
            response = perform()
            record.response_status = response.status_code
            record.verification_id = response.data["id"]
            record.save(update_fields=["response_status", "verification"])
    except Exception:
        record.delete()  # a refused request may be retried with the same key
        raise
    return response


def _replayed(record):
    """The verification the first request made, as it is now."""
    from .serializers import VerificationOutput

    verification = VerificationAttempt.objects.prefetch_related("deliveries").get(pk=record.verification_id)
    return VerificationOutput(verification).data


def idempotency_purge(*, now):
    """Forget answers older than KEEP; the same key then starts a new request."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted
