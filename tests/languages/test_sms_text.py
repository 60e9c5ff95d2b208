"""The SMS is written in the verification's language and ends with the WebOTP line."""

import pytest

from tests.languages.expected import EXPECTED, UNSUPPORTED
from verification.messages import sms_text
from verification.models import VerificationAttempt

CODE = "482916"


def sms_for(locale):
    return sms_text(VerificationAttempt(locale=locale), CODE)


@pytest.mark.parametrize("locale", EXPECTED)
def test_the_sms_is_in_the_locales_language(locale):
    assert sms_for(locale).splitlines()[0] == EXPECTED[locale].sms.format(code=CODE)


@pytest.mark.parametrize("locale", EXPECTED)
def test_the_sms_ends_with_the_webotp_line_in_every_language(locale):
    assert sms_for(locale).endswith(f"\n\n@testserver #{CODE}")


@pytest.mark.parametrize("locale", UNSUPPORTED)
def test_an_unsupported_locale_gets_the_english_sms(locale):
    assert sms_for(locale).splitlines()[0] == EXPECTED["en-US"].sms.format(code=CODE)


@pytest.mark.parametrize(("locale", "expiry"), [("en-US", "It expires in 1 minute."), ("fr-FR", "Il expire dans 1 minute."), ("de-DE", "Er ist 1 Minute gültig.")])
def test_one_minute_is_singular(settings, locale, expiry):
    settings.VERIFICATION_TTL_SECONDS = 60
    assert sms_for(locale).splitlines()[0].endswith(expiry)


@pytest.mark.django_db
def test_the_sms_template_setting_replaces_the_text_and_keeps_the_webotp_line(settings):
    from verification import services
    from verification.messages import sms_text

    settings.VERIFICATION_SMS_TEMPLATE = "{code} is your {site} code ({minutes} min)."
    settings.VERIFICATION_SITE_NAME = "Acme"
    verification = services.verification_create(phone_number="+14155550123", channel="sms", locale="fr-FR")
    assert sms_text(verification, "123456") == "123456 is your Acme code (10 min).\n\n@testserver #123456"


def test_a_broken_sms_template_is_refused_at_startup():
    from django.core.exceptions import ImproperlyConfigured

    from verification import conf

    values = {name: default for name, (_kind, default) in conf.DEFAULTS.items()}
    for template in ("{code", "{phone}", "no code here"):
        with pytest.raises(ImproperlyConfigured, match="VERIFICATION_SMS_TEMPLATE"):
            conf.validate({**values, "VERIFICATION_SMS_TEMPLATE": template})
