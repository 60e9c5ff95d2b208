"""The catalogues: every text of the pages, forms, errors, calls and SMS translated in every language, for real."""

import gettext
import re

import pytest

from tests.i18n.catalogue import NOT_ENGLISH, TRANSLATED, entries, placeholders, po_path, tags


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_has_a_translation_and_none_is_fuzzy(language):
    missing = [e.msgid for e in entries(language) if not all(e.translations) or "fuzzy" in e.flags]
    assert missing == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_the_po_file_compiled(language):
    with open(po_path(language).with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    for entry in entries(language):
        if not all(entry.translations) or "fuzzy" in entry.flags:
            continue  # not compiled, and the first test's failure
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            assert compiled.get(key) == entry.msgstr[None], entry.msgid
        else:
            assert [compiled.get((key, n)) for n in sorted(entry.msgstr)] == entry.translations, entry.msgid


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_keeps_the_placeholders_and_the_markup(language):
    for entry in entries(language):
        for index, translation in enumerate(entry.translations):
            source = entry.msgid_plural if index and entry.msgid_plural else entry.msgid
            if translation:  # a missing one is the first test's failure
                assert placeholders(translation) == placeholders(source), (entry.msgid, translation)
                assert tags(translation) == tags(source), (entry.msgid, translation)


@pytest.mark.parametrize("language", NOT_ENGLISH)
def test_translations_are_not_copies_of_english(language):
    # The same word in both languages is fine for a name or a term ("SMS", "Kosovo", "Code" in German);
    # a sentence left in English is not.
    copies = [e.msgid for e in entries(language) if e.msgstr.get(None, e.translations[0]) == e.msgid]
    assert [msgid for msgid in copies if len(re.sub(r"%\(\w+\)[sd]", "", msgid).split()) > 3] == []
    assert len(copies) <= len(entries(language)) // 20


def test_british_english_is_spelt_the_british_way():
    texts = " ".join(t for e in entries("en-gb") for t in e.translations)
    assert "cancelled" in texts
    assert not re.search(r"\b(canceled|color|center)\b", texts)
