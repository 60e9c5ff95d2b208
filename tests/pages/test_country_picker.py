"""The country picker: every region named in the page's language, in the order a person looks for it."""

import html
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def options(language):
    page = Client(headers={"Accept-Language": language}).get("/accounts/signup/").content.decode()
    picker = page[page.index('<select name="country"') : page.index("</select>")]
    return [
        (code, html.unescape(name))
        for code, name in re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)</option>', picker)
    ]


def test_no_region_is_a_bare_code_and_ascension_is_not_first(settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = []
    choices = dict(options("en"))
    assert choices["AC"] == "Ascension Island (+247)"
    assert choices["BL"] == "Saint Barthélemy (+590)"
    assert choices["EH"] == "Western Sahara (+212)"
    assert choices["MF"] == "Saint Martin (French part) (+590)"
    assert choices["TA"] == "Tristan da Cunha (+290)"
    assert choices["XK"] == "Kosovo (+383)"
    assert not [name for name in choices.values() if re.fullmatch(r"[A-Z]{2} \(\+\d+\)", name)]


def test_the_regions_are_in_alphabetical_order_accents_aside():
    names = [name for _, name in options("en")]
    assert names[0] == "Afghanistan (+93)"
    assert names.index("Åland Islands (+358)") < names.index("Albania (+355)")  # with the A's, not after Z
    assert names.index("Côte d'Ivoire (+225)") < names.index("Croatia (+385)")


@pytest.mark.parametrize(
    ("language", "region", "name"),
    [("de", "DE", "Deutschland (+49)"), ("fr", "XK", "Kosovo (+383)"), ("es", "EH", "Sáhara Occidental (+212)"),
     ("pt-BR", "TA", "Tristão da Cunha (+290)"), ("hi", "DE", "जर्मनी (+49)"), ("hi", "IN", "भारत (+91)")],
)  # fmt: skip
def test_the_regions_are_named_in_the_pages_language(language, region, name):
    assert dict(options(language))[region] == name
