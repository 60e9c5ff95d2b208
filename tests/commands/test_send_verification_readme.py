"""The README's `send_verification` example shows exactly what the command prints."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

README = Path(__file__).resolve().parents[2] / "README.md"
COMMAND = "python manage.py send_verification +14155550123 --channel call"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def readme_output():
    """The comment lines right under the command in the README: what it says the command prints."""
    lines = README.read_text().splitlines()
    start = lines.index(COMMAND) + 1
    shown = []
    for line in lines[start:]:
        if not line.startswith("# "):
            break
        shown.append(line[2:])
    return shown


def test_the_readme_shows_each_line_the_command_prints(live_site, capsys):
    call_command(*COMMAND.split()[2:])
    printed = capsys.readouterr().out.splitlines()
    shown = readme_output()
    assert len(printed) == len(shown) == 3
    assert re.fullmatch(f"id: {UUID}", printed[0]) and re.fullmatch(f"id: {UUID}", shown[0])
    assert printed[1:] == shown[1:]
