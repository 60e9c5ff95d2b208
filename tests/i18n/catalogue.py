"""The project's catalogues as the tests read them: each entry of locale/<lang>/LC_MESSAGES/django.po."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import to_locale

LOCALE_DIR = Path(settings.BASE_DIR) / "verification" / "locale"
# Every page language but the source one (English, US: the msgids themselves).
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
NOT_ENGLISH = [code for code in TRANSLATED if not code.startswith("en")]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}")
TAG = re.compile(r"<[^>]+>")


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict = field(default_factory=dict)
    flags: set = field(default_factory=set)
    references: list = field(default_factory=list)

    @property
    def translations(self):
        return [self.msgstr[key] for key in sorted(self.msgstr, key=lambda k: -1 if k is None else k)]


def _unquote(text):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text[1:-1])


def po_path(language):
    return LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"


def entries(language):
    """The catalogue's entries (the header left out), as written in its .po file."""
    return po_entries(po_path(language))


def po_entries(path):
    """A .po file's entries (the header left out)."""
    found, entry, key = [], None, None
    for line in [*Path(path).read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None and (entry.msgid or entry.msgctxt):
                found.append(entry)
            entry = None
            continue
        if line.startswith("#~"):
            continue
        entry = entry or Entry(msgid="")
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            entry.references += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = _unquote(line.strip())
            if key[0] == "msgstr":
                entry.msgstr[key[1]] += value
            else:
                setattr(entry, key[0], getattr(entry, key[0]) + value)
        else:
            keyword, value = line.split(" ", 1)
            index = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if index or keyword == "msgstr":
                key = ("msgstr", int(index.group(1)) if index else None)
                entry.msgstr[key[1]] = _unquote(value)
            else:
                key = (keyword, None)
                setattr(entry, keyword, _unquote(value))
    return found


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def tags(text):
    return sorted(TAG.findall(text))


# Django's own catalogues behind the admin pages; their English files list every msgid.
DJANGO_DIR = Path(__import__("django").__file__).parent
DJANGO_CATALOGUES = [DJANGO_DIR / app / "locale" for app in ("contrib/admin", "conf", "contrib/auth")]


def django_entries():
    """Django's admin, core and auth texts (its English catalogues: every msgid, none translated)."""
    return [entry for locale in DJANGO_CATALOGUES for entry in po_entries(locale / "en" / "LC_MESSAGES" / "django.po")]
