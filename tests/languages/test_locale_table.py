"""The locale table: which forms map to which locale, voice and catalogue."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.languages.expected import EXPECTED, UNSUPPORTED
from verification import conf
from verification.locales import django_language, normalize_locale, voice_for


def test_every_listed_locale_is_its_own_normal_form():
    assert [normalize_locale(locale) for locale in EXPECTED] == list(EXPECTED)


@pytest.mark.parametrize(
    ("given", "locale"),
    [("fr", "fr-FR"), ("pt_BR", "pt-BR"), ("PT-br", "pt-BR"), ("pt-br", "pt-BR"), ("en-gb", "en-GB"), ("de_de", "de-DE"), ("hi", "hi-IN"), ("en", "en-US")],
)
def test_browser_and_underscore_forms_map_to_the_listed_locale(given, locale):
    assert normalize_locale(given) == locale


@pytest.mark.parametrize(("given", "locale"), [("es-MX", "es-ES"), ("fr-CA", "fr-FR"), ("de-AT", "de-DE")])
def test_another_country_of_a_listed_language_keeps_the_language(given, locale):
    assert normalize_locale(given) == locale


@pytest.mark.parametrize("given", [*UNSUPPORTED, None, "  ", "-", "x-y-z", "ja-JP"])
def test_an_unsupported_locale_falls_back_to_us_english(given):
    assert normalize_locale(given) == "en-US"


@pytest.mark.parametrize("locale", EXPECTED)
def test_the_standard_engine_uses_plivos_standard_voice_where_the_language_has_one(locale):
    voice = voice_for(locale, "standard")
    assert (voice.language, voice.voice) == (EXPECTED[locale].language, EXPECTED[locale].standard_voice)


@pytest.mark.parametrize("locale", EXPECTED)
def test_the_polly_engine_uses_the_locales_polly_voice(locale):
    voice = voice_for(locale, "polly")
    assert (voice.language, voice.voice) == (EXPECTED[locale].language, EXPECTED[locale].polly_voice)


def test_the_engine_defaults_to_the_setting(settings):
    assert voice_for("fr-FR").voice == "WOMAN"
    settings.VERIFICATION_VOICE_ENGINE = "polly"
    assert voice_for("fr-FR").voice == "Polly.Celine"


@pytest.mark.parametrize(
    ("locale", "language"),
    [("en-US", "en"), ("en-GB", "en-gb"), ("en-IN", "en-gb"), ("es-ES", "es"), ("fr-FR", "fr"), ("de-DE", "de"), ("pt-BR", "pt-br"), ("hi-IN", "hi"), ("zz", "en")],
)
def test_each_locale_reads_its_texts_from_its_django_catalogue(locale, language):
    assert django_language(locale) == language


def test_an_unknown_voice_engine_is_refused_at_startup(settings):
    values = {name: getattr(settings, name) for name in conf.DEFAULTS}
    with pytest.raises(ImproperlyConfigured, match="VERIFICATION_VOICE_ENGINE"):
        conf.validate({**values, "VERIFICATION_VOICE_ENGINE": "neural"})
