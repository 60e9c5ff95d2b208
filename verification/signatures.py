"""Plivo's V3 request signatures, made and checked with the SDK's own code."""

import functools
import secrets

from django.http import HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from plivo.utils import validate_v3_signature
from plivo.utils.signature_v3 import construct_get_url, construct_post_url, get_signature_v3

from .conf import app_settings

SIGNATURE_HEADER = "X-Plivo-Signature-V3"
NONCE_HEADER = "X-Plivo-Signature-V3-Nonce"


def sign_v3(*, method, url, params, auth_token):
    """Headers that sign a request to `url` as Plivo does (used by the sandbox)."""
    nonce = secrets.token_hex(10)
    params = {key: value for key, value in params.items()}
    if method.upper() == "GET":
        base = construct_get_url(url, params)
    else:
        base = construct_post_url(url, params)
    signature = get_signature_v3(auth_token.encode(), base.decode(), nonce.encode())
    return {SIGNATURE_HEADER: signature.decode(), NONCE_HEADER: nonce}


def public_url(request):
    """The exact URL Plivo called: PUBLIC_BASE_URL, not what a proxy passed on."""
    return app_settings.public_base_url + request.get_full_path()


def is_signed_by_plivo(request):
    signature = request.headers.get(SIGNATURE_HEADER)
    nonce = request.headers.get(NONCE_HEADER)
    if not signature or not nonce or not app_settings.auth_token:
        return False
    params = dict(request.POST.lists()) if request.method == "POST" else {}
    try:
        return validate_v3_signature(
            request.method, public_url(request), nonce, app_settings.auth_token, signature, params=params
        )
    except Exception:  # the SDK's validators raise on malformed input
        return False


def plivo_webhook(view):
    """For every view Plivo calls: signature checked (403 otherwise), no CSRF, no caching."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_signed_by_plivo(request):
            return HttpResponseForbidden("Invalid or missing X-Plivo-Signature-V3.")
        return view(request, *args, **kwargs)

    return csrf_exempt(never_cache(wrapper))
