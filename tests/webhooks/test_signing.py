"""Signatures exactly as the Standard Webhooks specification says."""

import time

from standardwebhooks.webhooks import Webhook

from verification.webhooks.signing import new_secret, signature_headers

# The specification's own example (standard-webhooks.md, "Signature scheme").
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_specifications_example_vector():
    headers = signature_headers(signing_secrets=[SPEC_SECRET], msg_id=SPEC_ID, timestamp=SPEC_TIMESTAMP, body=SPEC_BODY)
    assert headers == {"webhook-id": SPEC_ID, "webhook-timestamp": "1614265330", "webhook-signature": SPEC_SIGNATURE}


def test_a_receiver_using_the_specifications_package_accepts_our_signature():
    secret, body, now = new_secret(), '{"type": "verification.approved"}', int(time.time())
    headers = signature_headers(signing_secrets=[secret], msg_id="msg_1", timestamp=now, body=body)
    assert Webhook(secret).verify(body, headers) == {"type": "verification.approved"}


def test_during_a_rotation_both_secrets_sign_and_either_verifies():
    old, new, body, now = new_secret(), new_secret(), "{}", int(time.time())
    headers = signature_headers(signing_secrets=[old, new], msg_id="msg_2", timestamp=now, body=body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(body, headers)


def test_every_secret_is_new_and_in_the_specifications_form():
    first, second = new_secret(), new_secret()
    assert first != second and first.startswith("whsec_") and len(first) > 40
