"""Who may read what the sandbox's phones received (codes in plain text) and type on them.

With DEBUG on (`make run`) anyone on the machine may: it is a development tool.
With DEBUG off the sandbox runs only because VERIFICATION_SANDBOX_IN_PRODUCTION=1
was set (a staging site, say), and then its inbox, phone page, call audio and
keypad answer only a staff session or HTTP basic auth with the sandbox's own
credentials (the auth id and token the SDK uses, as Plivo's API does):
`python manage.py sandbox_credentials` prints them for a test harness.
"""

import functools

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware

from verification.conf import app_settings

from .wire import basic_auth_matches

REALM = "otpsite sandbox"


def is_open():
    """True when the sandbox's phones may be read without credentials.

    DEBUG is read per request. The sandbox is mounted with DEBUG off only when
    VERIFICATION_SANDBOX_IN_PRODUCTION is set (otpsite/settings.py refuses to
    start otherwise), so that is when it closes; the test suite, whose settings
    load with DEBUG on and whose views run with it off, sets both to test it.
    """
    return settings.DEBUG or not app_settings.SANDBOX_IN_PRODUCTION


def _is_staff(request):
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def _csrf_failure(request):
    """A staff session is ambient (any site can make the browser send it): its POSTs need the CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return None
    return CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})


def _unauthorized(json):
    text = "The sandbox's phones need a staff session or its credentials (manage.py sandbox_credentials)."
    response = JsonResponse({"error": text}, status=401) if json else HttpResponse(text, status=401, content_type="text/plain")
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def phone_reader(*, json=False):
    """Decorate a view of the sandbox's phones: open in development, credentials otherwise."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if is_open() or basic_auth_matches(request):
                return view(request, *args, **kwargs)
            if _is_staff(request):
                return _csrf_failure(request) or view(request, *args, **kwargs)
            return _unauthorized(json)

        return wrapper

    return decorate
