"""The outbox: an event becomes one WebhookMessage per subscriber, written in the
transaction of the change it tells of, and handed to the sender once that commits."""

import uuid

from django.db import transaction

from ..codes import decrypt_code, encrypt_code
from ..models import Status, WebhookEndpoint, WebhookMessage
from .signing import new_secret

VERIFICATION_EVENTS = {
    Status.APPROVED: "verification.approved",
    Status.CANCELED: "verification.canceled",
    Status.EXPIRED: "verification.expired",
    Status.MAX_ATTEMPTS_REACHED: "verification.max_attempts_reached",
    Status.FAILED: "verification.failed",
}
DELIVERY_UPDATED = "delivery.updated"


def endpoint_create(*, api_key, url=""):
    """Give `api_key` a webhook (URL optional) and a new signing secret; returns the secret."""
    secret = new_secret()
    WebhookEndpoint.objects.update_or_create(api_key=api_key, defaults={"url": url, "secret_encrypted": encrypt_code(secret)})
    return secret


def endpoint_secrets(endpoint, *, now):
    """The secrets that sign now: the current one, and the previous one during its grace period."""
    current = [decrypt_code(endpoint.secret_encrypted)]
    if endpoint.previous_secret_encrypted and endpoint.previous_secret_until and now < endpoint.previous_secret_until:
        current.append(decrypt_code(endpoint.previous_secret_encrypted))
    return [secret for secret in current if secret]


def endpoint_rotate(endpoint, *, now, grace):
    """A new secret; the old one keeps signing for `grace`. Returns the new secret."""
    secret = new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_until = now + grace
    endpoint.secret_encrypted = encrypt_code(secret)
    endpoint.save(update_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_until"])
    return secret


def _subscribers(verification):
    """Where `verification`'s events go: its key's webhook URL and its own status_callback."""
    if verification.api_key_id is None:
        return []
    from ..services.statements import webhook_url_of

    urls = [webhook_url_of(verification) or "", verification.status_callback]
    return list(dict.fromkeys(url for url in urls if url))


def _data(verification):
    """The verification as GET returns it; never the code, nor keypad_code."""
    from ..api.serializers import VerificationOutput

    data = dict(VerificationOutput(verification).data)
    data.pop("keypad_code", None)
    return data


def event_record(verification, event_type, *, now):
    """Write the event for every subscriber, in the caller's transaction; sent after commit."""
    urls = _subscribers(verification)
    if not urls:
        return []
    payload = {"type": event_type, "timestamp": now.isoformat(), "data": _data(verification)}
    messages = [
        WebhookMessage.objects.create(
            id=f"msg_{uuid.uuid4().hex}",
            verification=verification,
            api_key_id=verification.api_key_id,
            url=url,
            event_type=event_type,
            payload=payload,
            created_at=now,
            next_attempt_at=now,
        )
        for url in urls
    ]
    from ..tasks import enqueue_webhook

    for message in messages:
        transaction.on_commit(lambda pk=message.pk: enqueue_webhook(pk))
    return messages


def verification_ended(verification, status, *, now):
    return event_record(verification, VERIFICATION_EVENTS[status], now=now)
