"""The answer URL retried, and the fallback URL asked, as Plivo's callback configurations say
(fixtures/callback_configurations.json)."""

import socket

from verification.carriers.plivo_client import make_rest_client
from verification.conf import app_settings
from verification.contrib.sandbox import callbacks
from verification.contrib.sandbox.models import InboxEntry

from . import urls as test_urls
from .support import ANSWERED, finish, fixture, received

CONFIG = fixture("callback_configurations")


def closed_port_base():
    """A loopback address where nothing listens: connecting to it fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_the_defaults_are_plivos():
    _, config = callbacks.CallbackConfig.from_url("https://example.com/answer/")
    defaults = CONFIG["defaults"]

    assert (config.connect_timeout_ms, config.read_timeout_ms, config.total_timeout_ms, config.retries) == (
        defaults["ct"],
        defaults["rt"],
        defaults["tt"],
        defaults["rc"],
    )
    assert config.retry_on == set(defaults["rp"].split(","))


def test_the_fragment_configures_the_url_and_is_never_sent():
    url, config = callbacks.CallbackConfig.from_url("https://example.com/answer/?a=1#ct=500&rc=3&rp=5xx,rt")

    assert url == "https://example.com/answer/?a=1"
    assert (config.connect_timeout_ms, config.retries, config.retry_on) == (500, 3, {"5xx", "rt"})


def test_out_of_range_values_are_held_to_plivos_bounds():
    _, config = callbacks.CallbackConfig.from_url("https://example.com/#rc=9&ct=1&rp=all")

    assert (config.retries, config.connect_timeout_ms) == (CONFIG["allowed"]["rc"][1], CONFIG["allowed"]["ct"][0])
    assert config.retry_on == {"4xx", "5xx", "ct", "rt"}


def test_an_answer_url_that_cannot_be_reached_is_tried_once_more_then_the_call_fails(sandbox, settings):
    # The sandbox only requests URLs under PUBLIC_BASE_URL: make that the address nobody answers
    # (the sandbox's API itself stays on the live server).
    settings.PUBLIC_BASE_URL = closed_port_base()
    plivo = make_rest_client(sandbox_url=sandbox.url + "/sandbox/plivo")
    url = settings.PUBLIC_BASE_URL + "/answer/"
    response = plivo.calls.create(from_=app_settings.from_number, to_=ANSWERED, answer_url=url)
    finish()

    assert callbacks.seen_urls().count(url) == 1 + CONFIG["defaults"]["rc"]
    assert InboxEntry.objects.get(pk=response.request_uuid).hangup_cause_code == 7011


def test_an_answer_url_error_status_is_not_retried_by_default(place_call):
    place_call(ANSWERED, answer="test-broken")
    finish()

    assert len(received("broken")) == 1


def test_the_retry_policy_in_the_fragment_retries_5xx(plivo):
    plivo.calls.create(
        from_=app_settings.from_number,
        to_=ANSWERED,
        answer_url=test_urls.absolute("test-broken") + "#rc=2&rp=5xx",
        hangup_url=test_urls.absolute("test-hangup"),
    )
    finish()

    assert len(received("broken")) == 3  # the first try and two retries


def test_the_fallback_url_answers_when_the_answer_url_fails(place_call):
    response = place_call(ANSWERED, answer="test-broken", options={"fallback_url": test_urls.absolute("test-redirect")})
    finish()

    assert len(received("broken")) == 1
    assert received("redirect")[0]["CallUUID"] == response.request_uuid
    [params] = received("hangup")
    assert (params["CallStatus"], params["HangupCauseCode"]) == ("completed", "4000")


def test_a_fallback_url_that_fails_too_ends_with_error_reaching_answer_url(place_call):
    place_call(ANSWERED, answer="test-broken", options={"fallback_url": test_urls.absolute("test-broken")})
    finish()

    assert len(received("broken")) == 2
    [params] = received("hangup")
    assert params["HangupCauseCode"] == "7011"
