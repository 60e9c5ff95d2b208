"""Standard Webhooks signatures (https://www.standardwebhooks.com/), made with the
specification's own Python package.

`webhook-signature` is `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed
with the secret's decoded bytes; during a rotation every current secret signs, and
the signatures are separated by spaces, as the specification allows.
"""

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret():
    """A fresh signing secret: 32 random bytes, base64, with Standard Webhooks' prefix."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_headers(*, signing_secrets, msg_id, timestamp, body):
    """The three headers of one attempt to deliver `body` (the same `msg_id` on every retry)."""
    moment = datetime.fromtimestamp(int(timestamp), tz=UTC)
    signatures = " ".join(Webhook(secret).sign(msg_id, moment, body) for secret in signing_secrets)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(timestamp)), "webhook-signature": signatures}
