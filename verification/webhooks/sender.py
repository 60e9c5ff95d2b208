"""Posting one outbox message, signed as Standard Webhooks says, with backoff on failure."""

import json
import time
from datetime import timedelta

import requests
from django.db import transaction

from .. import clock
from ..conf import app_settings
from ..models import WebhookAttempt, WebhookEndpoint, WebhookMessage, WebhookMessageStatus
from .addresses import WebhookUrlNotAllowed, public_addresses
from .outbox import endpoint_secrets
from .signing import signature_headers

CONNECT_TIMEOUT_SECONDS = 3
EXCERPT_BYTES = 200  # of an answer's body, kept for the admin: no more


def backoff(attempts):
    """Seconds before the next try after `attempts` failed ones: 10, 20, 40, ... (doubling)."""
    return app_settings.WEBHOOK_RETRY_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))


def webhook_send(*, message_id):
    """Post the message once. Returns the seconds until it should be tried again, or None.

    No transaction is held during the POST (a slow receiver must not hold a lock,
    least of all SQLite's); a duplicate POST is possible when two workers race,
    and carries the same webhook-id, which receivers use to drop it.
    """
    now = clock.now()
    message = WebhookMessage.objects.filter(pk=message_id, status=WebhookMessageStatus.PENDING).first()
    if message is None:
        return None  # delivered or given up
    started = time.monotonic()
    code, error, excerpt = _post(message, now)
    latency_ms = int((time.monotonic() - started) * 1000)
    attempts = message.attempts + 1
    fields = {"attempts": attempts}
    wait = None
    if code is not None and 200 <= code < 300:
        fields.update(status=WebhookMessageStatus.DELIVERED, delivered_at=now, last_error="")
    elif attempts >= app_settings.WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=WebhookMessageStatus.FAILED, last_error=(error or f"HTTP {code}")[:255])
    else:
        wait = backoff(attempts)
        fields.update(last_error=(error or f"HTTP {code}")[:255], next_attempt_at=now + timedelta(seconds=wait))
    with transaction.atomic():
        WebhookAttempt.objects.create(
            message=message, at=now, status_code=code, error=error[:255], latency_ms=latency_ms, excerpt=excerpt
        )
        WebhookMessage.objects.filter(pk=message.pk, status=WebhookMessageStatus.PENDING).update(**fields)
    return wait


def _post(message, now):
    """(HTTP status or None, error text, the answer's first characters) of one signed POST."""
    endpoint = WebhookEndpoint.objects.filter(api_key_id=message.api_key_id).first()
    signing = endpoint_secrets(endpoint, now=now) if endpoint else []
    if not signing:
        return None, "The API key has no webhook secret.", ""
    body = json.dumps(message.payload, separators=(",", ":"))
    try:
        public_addresses(message.url, allow_private=app_settings.WEBHOOK_ALLOW_PRIVATE_HOSTS)
        headers = signature_headers(signing_secrets=signing, msg_id=message.pk, timestamp=int(now.timestamp()), body=body)
        response = _session().post(
            message.url,
            data=body.encode(),
            headers={**headers, "Content-Type": "application/json"},
            # A short connect, the receiver's answer within WEBHOOK_TIMEOUT_SECONDS; never a redirect.
            timeout=(CONNECT_TIMEOUT_SECONDS, app_settings.WEBHOOK_TIMEOUT_SECONDS),
            allow_redirects=False,
            stream=True,
        )
    except WebhookUrlNotAllowed as exc:
        return None, str(exc.detail), ""
    except requests.RequestException as exc:
        return None, type(exc).__name__, ""
    try:
        excerpt = response.raw.read(EXCERPT_BYTES, decode_content=True).decode("utf-8", "replace")
    except (requests.RequestException, OSError, ValueError):
        excerpt = ""
    finally:
        response.close()
    return response.status_code, "", excerpt[:EXCERPT_BYTES]


def webhook_resend(*, message_id):
    """An admin's "send again": the same message (same webhook-id), from its first try."""
    WebhookMessage.objects.filter(pk=message_id).update(
        status=WebhookMessageStatus.PENDING, attempts=0, next_attempt_at=clock.now()
    )


def webhook_sweep(*, now=None):
    """Pending messages well past their time lost their task (the same rule as deliveries:
    VERIFICATION_SWEEP_QUEUED_AFTER_SECONDS): their ids, to enqueue again."""
    now = now or clock.now()
    after = timedelta(seconds=app_settings.SWEEP_QUEUED_AFTER_SECONDS)
    due = WebhookMessage.objects.filter(
        status=WebhookMessageStatus.PENDING, next_attempt_at__lt=now - after
    ).values_list("pk", flat=True)[:500]
    ids = list(due)
    WebhookMessage.objects.filter(pk__in=ids).update(next_attempt_at=now)
    return ids


def _session():
    session = requests.Session()
    session.trust_env = False  # never through an environment proxy: the address guard decided
    return session
