"""What every page view shares: who is asking, in which language, and how a wait is said."""

from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from .. import services as core
from ..locales import normalize_locale
from ..models import ActorType
from ..net import client_ip

CHANNEL_WORDS = {"sms": "text message", "call": "voice call"}
# Said only to whoever typed the right code: they hold the phone. To anyone else, a taken number and a
# free one get the same answer (withheld.py).
NUMBER_TAKEN = "This number is already used by another account."
MAYBE_SENT = "If this number can be used, we sent a code to it."
NO_PHONE = (
    "This account has no phone number yet, and signing in needs a code sent to one. Whoever runs this "
    "server adds it with: python manage.py set_phone {username} +14155550123 (your number). Then sign in "
    "again: a code goes to that number, and entering it verifies the number and signs you in."
)

THROTTLE_TEXTS = {
    "resend_cooldown": "A code was just sent to this number.",
    "too_many_sends": "Too many codes were sent to this number in the last hour.",
    "too_many_verifications_from_ip": "Too many codes were asked for from this address.",
    "too_many_logins_from_ip": "Too many sign-in attempts from this address.",
    "too_many_logins_for_username": "Too many sign-in attempts for this username.",
    "too_many_logins_for_username_from_ip": "Too many sign-in attempts for this username from this address.",
    "too_many_signups_from_ip": "Too many signup attempts from this address.",
    "too_many_sends_to_country": "Too many codes were sent to this country just now.",
    "send_budget_exhausted": "We cannot send more codes just now.",
    "too_many_phone_changes_for_user": "Too many number changes for this account.",
    "too_many_phone_changes_from_ip": "Too many number changes from this address.",
}


def actor(request, name):
    return core.Actor(type=ActorType.USER, name=name or "", ip=client_ip(request))


def page_locale():
    """The call's and SMS's language: the page's own (Accept-Language, via LocaleMiddleware)."""
    return normalize_locale(translation.get_language())


def wait_words(seconds):
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"


def throttled_text(exc):
    reason = THROTTLE_TEXTS.get(exc.code, "Too many requests.")
    return f"{reason} Please try again in {wait_words(exc.retry_after)}."


def safe_next(request):
    """A path on this site to go to after signing in, or "" (never a URL name or another host)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        return ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if allowed else ""
