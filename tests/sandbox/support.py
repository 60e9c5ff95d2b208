"""Numbers and helpers shared by the sandbox tests."""

from verification.sandbox import simulator

from . import urls as test_urls

ANSWERED = "+14155550123"
NO_ANSWER = "+14155550199"
BUSY = "+14155550198"
REJECTED = "+14155550197"
SERVER_ERROR = "+14155550196"


def received(name):
    """The params of every signed request that the test view `name` received."""
    return [params for view, params in test_urls.received if view == name]


def finish():
    """Wait, with a bound, for the calls and SMS the sandbox carries in the background."""
    assert simulator.wait_until_idle(timeout=30), "sandbox threads still running"  # a bound, generous for a loaded machine
