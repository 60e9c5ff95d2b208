"""Plivo's V3 request signatures, made and checked with the SDK's own code."""

import functools
import hmac
import secrets

from django.core.cache import cache
from django.http import HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from plivo.utils.signature_v3 import (
    construct_get_url,
    construct_post_url,
    get_signature_v3,
)

from .conf import app_settings

SIGNATURE_HEADER = "X-Plivo-Signature-V3"
NONCE_HEADER = "X-Plivo-Signature-V3-Nonce"


def _signature(*, method, url, params, nonce, auth_token):
    """Plivo's V3 signature of a request, computed with the SDK's own functions."""
    params = {key: value for key, value in params.items()}
    base = construct_get_url(url, params) if method.upper() == "GET" else construct_post_url(url, params)
    return get_signature_v3(auth_token.encode(), base.decode(), nonce.encode())


def sign_v3(*, method, url, params, auth_token):
    """Headers that sign a request to `url` as Plivo does (used by the sandbox)."""
    nonce = secrets.token_hex(10)
    signature = _signature(method=method, url=url, params=params, nonce=nonce, auth_token=auth_token)
    return {SIGNATURE_HEADER: signature.decode(), NONCE_HEADER: nonce}


def public_url(request):
    """The exact URL Plivo called: PUBLIC_BASE_URL, not what a proxy passed on."""
    return app_settings.public_base_url + request.get_full_path()


def is_signed_by_plivo(request):
    """Like the SDK's validate_v3_signature, but compared in constant time."""
    signatures = request.headers.get(SIGNATURE_HEADER)
    nonce = request.headers.get(NONCE_HEADER)
    if not signatures or not nonce or not app_settings.auth_token:
        return False
    params = dict(request.POST.lists()) if request.method == "POST" else {}
    try:
        expected = _signature(
            method=request.method, url=public_url(request), params=params, nonce=nonce, auth_token=app_settings.auth_token
        )
    except Exception:  # malformed input must be a 403, not a 500
        return False
    # The header may hold several signatures (during a token rotation): any one may match.
    return any(hmac.compare_digest(expected, given.strip().encode()) for given in signatures.split(","))


# A signed request is taken once: its nonce is remembered this long (in Redis with
# REDIS_URL, so across processes), far longer than any call or verification lives.
NONCE_SECONDS = 24 * 3600


def first_use_of_nonce(request):
    """True the first time this nonce is seen; a replayed signed request is refused."""
    nonce = request.headers.get(NONCE_HEADER, "")
    return cache.add(f"otp:plivo-nonce:{nonce}", 1, timeout=NONCE_SECONDS)


def plivo_webhook(view):
    """For every view Plivo calls: signature checked and never replayed (403 otherwise),
    no CSRF, no caching."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_signed_by_plivo(request):
            return HttpResponseForbidden("Invalid or missing X-Plivo-Signature-V3.")
        if not first_use_of_nonce(request):
            return HttpResponseForbidden("This signed request was already received (a replay).")
        return view(request, *args, **kwargs)

    return csrf_exempt(never_cache(wrapper))
