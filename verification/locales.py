"""Locales: which language and voice a call speaks, and which catalogue texts use."""

from dataclasses import dataclass

from django.utils.translation import to_language


@dataclass(frozen=True)
class Voice:
    language: str  # Plivo's Speak language
    voice: str  # Plivo's voice: WOMAN / MAN, or a Polly.* voice (SSML allowed)
    django_language: str  # the catalogue for texts


VOICES = {
    "en-US": Voice("en-US", "WOMAN", "en"),
    "en-GB": Voice("en-GB", "WOMAN", "en-gb"),
    "en-IN": Voice("en-IN", "Polly.Raveena", "en"),
    "es-ES": Voice("es-ES", "WOMAN", "es"),
    "fr-FR": Voice("fr-FR", "WOMAN", "fr"),
    "de-DE": Voice("de-DE", "WOMAN", "de"),
    "pt-BR": Voice("pt-BR", "WOMAN", "pt-br"),
    "hi-IN": Voice("hi-IN", "Polly.Aditi", "hi"),
}
DEFAULT_LOCALE = "en-US"


def normalize_locale(value):
    """`fr_fr`, `FR-fr` or `fr` -> `fr-FR`; anything unsupported -> en-US, never an error."""
    text = (value or "").replace("_", "-").strip()
    if not text:
        return DEFAULT_LOCALE
    parts = text.split("-")
    candidate = parts[0].lower() + ("-" + parts[1].upper() if len(parts) > 1 else "")
    if candidate in VOICES:
        return candidate
    for locale in VOICES:  # a bare language: its first listed country
        if locale.split("-")[0] == parts[0].lower():
            return locale
    return DEFAULT_LOCALE


def voice_for(locale):
    return VOICES[normalize_locale(locale)]


def django_language(locale):
    return to_language(voice_for(locale).django_language)
