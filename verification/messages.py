"""The text of a verification SMS, and waits said in words ("59 minutes") for messages."""

import math
from urllib.parse import urlsplit

from django.utils import translation
from django.utils.translation import gettext, ngettext

from .conf import app_settings
from .locales import django_language


def sms_text(verification, code):
    """The message, whose last line is the WebOTP form `@host #code` for browsers to fill in.

    VERIFICATION_SMS_TEMPLATE, when set, replaces the translated text: `{site}`, `{code}`
    and `{minutes}` are filled in, and the WebOTP line is always added.
    """
    host = urlsplit(app_settings.public_base_url).hostname or "localhost"
    minutes = max(1, app_settings.TTL_SECONDS // 60)
    template = app_settings.SMS_TEMPLATE.strip()
    if template:
        body = template.format(site=app_settings.SITE_NAME, code=code, minutes=minutes)  # checked at startup
        return f"{body}\n\n@{host} #{code}"
    with translation.override(django_language(verification.locale)):
        body = ngettext(
            "%(site)s: your verification code is %(code)s. It expires in %(minutes)s minute.",
            "%(site)s: your verification code is %(code)s. It expires in %(minutes)s minutes.",
            minutes,
        ) % {
            "site": app_settings.SITE_NAME,
            "code": code,
            "minutes": minutes,
        }
    return f"{body}\n\n@{host} #{code}"


def wait_words(seconds):
    """A wait in the largest unit that reads well, rounded up so it is never too short:
    "29 seconds", "59 minutes", "3 hours", "2 days"."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = -(-seconds // 60)
    if minutes < 90:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = -(-seconds // 3600)
    if hours < 48:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = -(-seconds // 86400)
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def try_again_in(seconds):
    """The one sentence a refusal with a wait ends in: "Try again in 59 minutes." """
    return gettext("Try again in %(wait)s.") % {"wait": wait_words(seconds)}


def period_words(seconds):
    """A rule's window, for "5 per hour": "hour", "15 minutes", "30 seconds"."""
    seconds = max(1, round(seconds))
    if seconds % 86400 == 0:
        days = seconds // 86400
        return gettext("day") if days == 1 else ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return (
            gettext("hour") if hours == 1 else ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        )
    if seconds % 60 == 0:
        minutes = seconds // 60
        if minutes == 1:
            return gettext("minute")
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if seconds == 1:
        return gettext("second")
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
