"""One-time codes: made with `secrets`, stored as a keyed hash, compared in
constant time, and kept readable only encrypted (for the call) until the
verification ends."""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

HASH_SALT = "verification.codes.hash"
ENCRYPTION_SALT = b"verification.codes.encryption"


def generate_code(length):
    """A uniformly random string of `length` decimal digits."""
    return "".join(secrets.choice("0123456789") for _ in range(length))


def hash_code(code, *, verification_id):
    """Keyed hash bound to one verification, so equal codes hash differently."""
    return salted_hmac(HASH_SALT, f"{verification_id}:{code}", algorithm="sha256").hexdigest()


def code_matches(code, *, verification_id, code_hash):
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(
            salted_hmac(HASH_SALT, f"{verification_id}:{code}", secret=key, algorithm="sha256").hexdigest(),
            code_hash,
        )
        for key in keys
    )


def _fernet(secret):
    key = hashlib.sha256(ENCRYPTION_SALT + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_code(code):
    return _fernet(settings.SECRET_KEY).encrypt(code.encode())


def decrypt_code(token):
    """The code, or None if it cannot be read (wiped, or the key rotated away)."""
    if not token:
        return None
    for key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            return _fernet(key).decrypt(bytes(token)).decode()
        except InvalidToken:
            continue
    return None
