"""The country picker: region codes with their names, and a default from Accept-Language."""

import functools
import re

import phonenumbers
from phonenumbers import geocoder

from ..conf import app_settings

DEFAULT_REGION = "US"
# A bare language names no country; these are the usual ones.
LANGUAGE_REGIONS = {"en": "US", "hi": "IN", "pt": "BR", "ja": "JP", "zh": "CN", "ko": "KR", "sv": "SE", "da": "DK"}
LANGUAGE_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}))?\b")


@functools.cache
def _names(language):
    names = {}
    for region in phonenumbers.SUPPORTED_REGIONS:
        example = phonenumbers.example_number(region)
        names[region] = (example and geocoder.country_name_for_number(example, language)) or region
    return names


def country_choices(language="en"):
    """(region, "Name (+code)") pairs, sorted by name; only the allowed countries when set."""
    allowed = app_settings.allowed_countries
    names = _names((language or "en").split("-")[0])
    regions = [r for r in names if not allowed or r in allowed]
    return sorted(
        ((r, f"{names[r]} (+{phonenumbers.country_code_for_region(r)})") for r in regions),
        key=lambda choice: choice[1].casefold(),
    )


def region_from_accept_language(header):
    """`fr-CA,fr;q=0.9` -> `CA`; `de` -> `DE`; nothing usable -> `US`."""
    allowed = app_settings.allowed_countries
    for part in (header or "").split(","):
        match = LANGUAGE_TAG.match(part.strip())
        if not match:
            continue
        language, region = match.group(1).lower(), (match.group(2) or "").upper()
        for candidate in (region, LANGUAGE_REGIONS.get(language, language.upper())):
            if candidate in phonenumbers.SUPPORTED_REGIONS and (not allowed or candidate in allowed):
                return candidate
    return DEFAULT_REGION if not allowed or DEFAULT_REGION in allowed else sorted(allowed)[0]
