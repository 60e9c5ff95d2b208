import pytest

from verification.carriers.plivo_client import make_rest_client
from verification.conf import app_settings
from verification.contrib.sandbox import simulator

from . import urls as test_urls


@pytest.fixture
def sandbox(live_server, settings, transactional_db):
    """The site served for real, carrying calls through the sandbox, with callbacks recorded."""
    settings.PUBLIC_BASE_URL = live_server.url
    settings.ROOT_URLCONF = "tests.sandbox.urls"
    settings.VERIFICATION_CARRIER = "sandbox"
    settings.VERIFICATION_SANDBOX_API_URL = ""
    settings.PLIVO_AUTH_ID = settings.PLIVO_AUTH_TOKEN = settings.PLIVO_FROM_NUMBER = ""
    test_urls.received.clear()
    test_urls.methods.clear()
    yield live_server
    # Threads still talking to the server or the database would leak into the next test.
    assert simulator.wait_until_idle(timeout=10), "sandbox threads still running"


@pytest.fixture
def plivo(sandbox):
    """The real SDK client, pointed at the sandbox."""
    return make_rest_client()


@pytest.fixture
def place_call(plivo):
    """Place a call with the SDK to `to`, answered by the test view `answer`."""

    def place(to, answer="test-answer", options=None, **kwargs):
        """`kwargs` fill the answer view's URL; `options` go to calls.create as they are."""
        return plivo.calls.create(
            from_=app_settings.from_number,
            to_=to,
            answer_url=test_urls.absolute(answer, **kwargs),
            hangup_url=test_urls.absolute("test-hangup"),
            ring_url=test_urls.absolute("test-ring"),
            **(options or {}),
        )

    return place


@pytest.fixture
def send_sms(plivo):
    """Send an SMS with the SDK to `to`, its status reported to the test view."""

    def send(to, text="Your code is 4071.", **options):
        return plivo.messages.create(
            src=app_settings.from_number, dst=to, text=text, url=test_urls.absolute("test-sms-status"), **options
        )

    return send
