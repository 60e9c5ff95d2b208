"""The country picker: region codes with their names, and a default from Accept-Language."""

import functools
import unicodedata

import phonenumbers
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from phonenumbers import geocoder

from verification.conf import app_settings

from .region_names_hi import HINDI

DEFAULT_REGION = "US"
# A bare language names no country, and its code is often another country's ("ar" is not Argentina,
# "ca" not Canada, "vi" not the Virgin Islands): the country most of its speakers dial from.
LANGUAGE_REGIONS = {
    "ar": "SA", "bg": "BG", "bn": "BD", "ca": "ES", "cs": "CZ", "da": "DK", "de": "DE", "el": "GR",
    "en": "US", "es": "ES", "et": "EE", "fa": "IR", "fi": "FI", "fil": "PH", "fr": "FR", "he": "IL",
    "hi": "IN", "hr": "HR", "hu": "HU", "id": "ID", "it": "IT", "iw": "IL", "ja": "JP", "ko": "KR",
    "lt": "LT", "lv": "LV", "ms": "MY", "nb": "NO", "nl": "NL", "nn": "NO", "no": "NO", "pl": "PL",
    "pt": "BR", "ro": "RO", "ru": "RU", "sk": "SK", "sl": "SI", "sr": "RS", "sv": "SE", "sw": "KE",
    "ta": "IN", "th": "TH", "tl": "PH", "tr": "TR", "uk": "UA", "ur": "PK", "vi": "VN", "zh": "CN",
}


# Regions phonenumbers' geocoder has no name for (it has no example number for them): ours, translated.
UNNAMED_REGIONS = {
    "AC": _("Ascension Island"),
    "BL": _("Saint Barthélemy"),
    "EH": _("Western Sahara"),
    "MF": _("Saint Martin (French part)"),
    "TA": _("Tristan da Cunha"),
    "XK": _("Kosovo"),
}


@functools.cache
def _geocoder_names(language):
    names = {}
    for region in phonenumbers.SUPPORTED_REGIONS:
        example = phonenumbers.example_number(region)
        name = example and geocoder.country_name_for_number(example, language)
        if name:
            names[region] = name
    return names


# Languages whose names phonenumbers' geocoder lacks: ours.
OWN_NAMES = {"hi": HINDI}


def _names(language):
    base = language.split("-")[0]
    own = OWN_NAMES.get(base, {})
    with translation.override(language):
        return {
            region: own.get(region) or _geocoder_names(base).get(region) or str(UNNAMED_REGIONS.get(region, region))
            for region in phonenumbers.SUPPORTED_REGIONS
        }


def country_name(region, language="en"):
    """The region's name in `language` ("United States" for US), or the code if it has none."""
    return _names(language or "en").get(region, region)


def _sort_key(name):
    """Åland with the A's, Côte d'Ivoire with the C's: letters without their accents, then as written."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return (bare.casefold(), name)


def country_choices(language="en"):
    """(region, "Name (+code)") pairs, sorted by name; only the allowed countries when set."""
    allowed = app_settings.allowed_countries
    names = _names(language or "en")
    regions = [r for r in names if not allowed or r in allowed]
    choices = ((r, f"{names[r]} (+{phonenumbers.country_code_for_region(r)})") for r in regions)
    return sorted(choices, key=lambda choice: _sort_key(choice[1]))


def _languages(header):
    """(language, region or "") of an Accept-Language header, most wanted first, without q=0 ones."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        subtags = tag.replace("_", "-").split("-")
        if not 0 < quality <= 1 or not (2 <= len(subtags[0]) <= 3 and subtags[0].isalpha()):
            continue
        # `zh-Hant-TW`, `sr-Latn-RS`: a script (four letters) may come before the region (two letters);
        # `es-419` names a region by number (no one country); after a singleton come extensions.
        region = ""
        for subtag in subtags[1:]:
            if len(subtag) == 1:
                break
            if len(subtag) == 2 and subtag.isalpha():
                region = subtag
                break
        ranked.append((-quality, position, subtags[0].lower(), region.upper()))
    return [(language, region) for _, _, language, region in sorted(ranked)]


def region_from_accept_language(header):
    """`fr-CA,fr;q=0.9` -> `CA`; `de` -> `DE`; `ar` -> `SA`; nothing usable -> `US`."""
    allowed = app_settings.allowed_countries
    for language, region in _languages(header):
        for candidate in (region, LANGUAGE_REGIONS.get(language)):
            if candidate in phonenumbers.SUPPORTED_REGIONS and (not allowed or candidate in allowed):
                return candidate
    return DEFAULT_REGION if not allowed or DEFAULT_REGION in allowed else sorted(allowed)[0]
