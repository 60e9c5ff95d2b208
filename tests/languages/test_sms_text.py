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
