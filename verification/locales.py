"""Locales: which language and voice a call speaks, and which catalogue texts use."""

from dataclasses import dataclass

from django.utils.translation import to_language

from .conf import app_settings


@dataclass(frozen=True)
class Locale:
    language: str  # Plivo's <Speak language="...">
    standard_voice: str | None  # WOMAN / MAN; None where Plivo has no standard voice for the language
    polly_voice: str  # an Amazon Polly voice, which also reads SSML
    catalogue: str  # the Django language whose catalogue holds the texts


@dataclass(frozen=True)
class Voice:
    language: str
    voice: str


# Plivo's standard voices speak no Indian English or Hindi, so those two
# always use Polly. The Polly voices are Polly's original standard ones, the
# likeliest to be on Plivo's list. Indian English follows British usage
# ("hash key"), so it shares the en-GB catalogue.
LOCALES = {
    "en-US": Locale("en-US", "WOMAN", "Polly.Joanna", "en"),
    "en-GB": Locale("en-GB", "WOMAN", "Polly.Amy", "en-gb"),
    "en-IN": Locale("en-IN", None, "Polly.Raveena", "en-gb"),
    "es-ES": Locale("es-ES", "WOMAN", "Polly.Conchita", "es"),
    "fr-FR": Locale("fr-FR", "WOMAN", "Polly.Celine", "fr"),
    "de-DE": Locale("de-DE", "WOMAN", "Polly.Marlene", "de"),
    "pt-BR": Locale("pt-BR", "WOMAN", "Polly.Vitoria", "pt-br"),
    "hi-IN": Locale("hi-IN", None, "Polly.Aditi", "hi"),
}
DEFAULT_LOCALE = "en-US"


def normalize_locale(value):
    """`fr_fr`, `PT-br` or `fr` -> a listed locale; anything unsupported -> en-US, never an error."""
    parts = str(value or "").replace("_", "-").strip().split("-")
    language = parts[0].lower()
    candidate = f"{language}-{parts[1].upper()}" if len(parts) > 1 else language
    if candidate in LOCALES:
        return candidate
    # A bare language, or one of our languages from another country
    # (es-MX, fr-CA): its first listed locale beats English.
    for locale in LOCALES:
        if locale.split("-")[0] == language:
            return locale
    return DEFAULT_LOCALE


def voice_for(locale, engine=None):
    """The Speak language and voice for `locale` under `VERIFICATION_VOICE_ENGINE` (or `engine`)."""
    entry = LOCALES[normalize_locale(locale)]
    engine = engine or app_settings.VOICE_ENGINE
    if engine == "polly" or entry.standard_voice is None:
        return Voice(entry.language, entry.polly_voice)
    return Voice(entry.language, entry.standard_voice)


def django_language(locale):
    """The Django language code whose catalogue translates texts for `locale`."""
    return to_language(LOCALES[normalize_locale(locale)].catalogue)
