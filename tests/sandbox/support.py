"""Numbers and helpers shared by the sandbox tests."""

import json
from pathlib import Path

from verification.contrib.sandbox import simulator

from . import urls as test_urls

FIXTURES = Path(__file__).parent / "fixtures"

ANSWERED = "+14155550123"
NO_ANSWER = "+14155550199"
BUSY = "+14155550198"
REJECTED = "+14155550197"
SERVER_ERROR = "+14155550196"
VOICEMAIL = "+14155550195"
HASH_ONLY = "+14155550194"
SILENT = "+14155550193"


def received(name):
    """The params of every signed request that the test view `name` received."""
    return [params for view, params in test_urls.received if view == name]


def finish():
    """Wait, with a bound, for the calls and SMS the sandbox carries in the background."""
    assert simulator.wait_until_idle(timeout=30), "sandbox threads still running"  # a bound, generous for a loaded machine


def methods(name):
    """The HTTP methods of the signed requests that the test view `name` received."""
    return [method for view, method in test_urls.methods if view == name]


def fixture(name):
    """A fixture written from Plivo's documentation (its `source` names the page)."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def documented_shape(actual, documented):
    """The fields of `actual` that Plivo's documented example lacks, or whose JSON type differs from it.

    A documented null stands for a field that may be null (or a string, when set).
    """
    problems = [f"{key}: not in Plivo's example" for key in actual if key not in documented]
    for key, value in actual.items():
        example = documented.get(key)
        if key in documented and example is not None and value is not None and type(value) is not type(example):
            problems.append(f"{key}: {type(value).__name__}, Plivo's is {type(example).__name__}")
    return problems
