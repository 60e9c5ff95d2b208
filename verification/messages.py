"""The text of a verification SMS."""

from urllib.parse import urlsplit

from django.utils import translation
from django.utils.translation import ngettext

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
