"""What every page view shares: who is asking, in which language, and how a wait or a refusal is said."""

import re

from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from verification import services as core
from verification.locales import normalize_locale
from verification.models import ActorType
from verification.net import client_ip

from .countries import country_name

CHANNEL_WORDS = {"sms": _("text message"), "call": _("voice call")}
# Said only to whoever typed the right code: they hold the phone. To anyone else, a taken number and a
# free one get the same answer (withheld.py).
NUMBER_TAKEN = _("This number is already used by another account.")
MAYBE_SENT = _("If this number can be used, we sent a code to it.")
NO_PHONE = _(
    "This account has no phone number yet, and signing in needs a code sent to one. Whoever runs this "
    "server adds it with: python manage.py set_phone %(username)s +14155550123 (your number). Then sign in "
    "again: a code goes to that number, and entering it verifies the number and signs you in."
)

THROTTLE_TEXTS = {
    "resend_cooldown": _("A code was just sent to this number."),
    "too_many_sends": _("Too many codes were sent to this number in the last hour."),
    "too_many_verifications_from_ip": _("Too many codes were asked for from this address."),
    "too_many_logins_from_ip": _("Too many sign-in attempts from this address."),
    "too_many_logins_for_username": _("Too many sign-in attempts for this username."),
    "too_many_logins_for_username_from_ip": _("Too many sign-in attempts for this username from this address."),
    "too_many_signups_from_ip": _("Too many signup attempts from this address."),
    "too_many_sends_to_country": _("Too many codes were sent to this country just now."),
    "send_budget_exhausted": _("We cannot send more codes just now."),
    "too_many_phone_changes_for_user": _("Too many number changes for this account."),
    "too_many_phone_changes_from_ip": _("Too many number changes from this address."),
}

# The services' refusals are the API's, in English; the pages say them in the page's language. By the
# refusal's code, and for the few codes with more than one cause, by the English detail.
REFUSAL_TEXTS = {
    "invalid_phone_number": _("This is not a valid phone number."),
    "number_type_not_allowed": _(
        "Codes cannot be sent to this kind of number (premium-rate, shared-cost, pager or voicemail)."
    ),
    "country_not_allowed": _("Phone numbers from this country are not accepted."),
    "channel_not_available": _("This channel cannot reach this phone number."),
    "delivery_blocked": _("Codes cannot be sent to this phone number just now."),
}
REFUSAL_DETAILS = {
    "A phone number is required.": _("A phone number is required."),
    "Non-geographic numbers (satellite, international freephone) cannot be verified.": _(
        "Numbers of no country (satellite, international freephone) cannot be verified."
    ),
    "This number is a fixed line and cannot receive SMS; use channel 'call'.": _(
        "This number is a fixed line and cannot receive text messages: choose a voice call."
    ),
    "In keypad mode the code goes by call only.": _("Here the code comes by voice call only."),
}


def actor(request, name):
    return core.Actor(type=ActorType.USER, name=name or "", ip=client_ip(request))


def page_locale():
    """The call's and SMS's language: the page's own (Accept-Language, via LocaleMiddleware)."""
    return normalize_locale(translation.get_language())


def wait_words(seconds):
    if seconds < 120:
        return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}


def wait_units():
    """The words wait_words uses, with "{n}" for the number: verify.js counts down with them."""
    return {
        "one": ngettext("%(count)s second", "%(count)s seconds", 1) % {"count": "{n}"},
        "other": ngettext("%(count)s second", "%(count)s seconds", 2) % {"count": "{n}"},
        "minutes": ngettext("%(count)s minute", "%(count)s minutes", 2) % {"count": "{n}"},
    }


def throttled_text(exc):
    reason = THROTTLE_TEXTS.get(exc.code, _("Too many requests."))
    return gettext("%(reason)s Please try again in %(wait)s.") % {"reason": reason, "wait": wait_words(exc.retry_after)}


COUNTRY_REFUSED = re.compile(r"Phone numbers from ([A-Z]{2}) are not accepted\.")


def refusal_text(exc):
    """A refused send or number, as the page says it."""
    country = COUNTRY_REFUSED.fullmatch(str(exc.detail))
    if country:
        text = gettext("Phone numbers from %(country)s are not accepted.")
        return text % {"country": country_name(country.group(1), translation.get_language())}
    detail = REFUSAL_DETAILS.get(str(exc.detail)) or REFUSAL_TEXTS.get(exc.code)
    return str(detail) if detail else str(exc.detail)


def safe_next(request):
    """A path on this site to go to after signing in, or "" (never a URL name or another host)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        return ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if allowed else ""
