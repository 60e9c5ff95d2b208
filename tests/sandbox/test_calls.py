"""The sandbox's Call API, driven by the real plivo SDK over HTTP."""

import re

import pytest
import requests
from django.urls import reverse
from plivo import exceptions

from verification.conf import app_settings
from verification.contrib.sandbox import callbacks
from verification.contrib.sandbox.models import EntryStatus, InboxEntry

from . import urls as test_urls
from .support import ANSWERED, BUSY, NO_ANSWER, REJECTED, SERVER_ERROR, finish, received

SPOKEN_CODE = "Your code is 4 0 7 1"


def press(sandbox, call_id, digits):
    url = sandbox.url + reverse("sandbox:call-press", kwargs={"entry_id": call_id})
    return requests.post(url, data={"digits": digits}, timeout=5)


def test_call_api_answers_like_plivo(place_call):
    response = place_call(ANSWERED)

    assert response.message == "call fired"
    assert InboxEntry.objects.filter(pk=response.request_uuid, channel="call", to_number=ANSWERED).exists()


def test_answered_call_records_exactly_what_was_spoken(place_call):
    response = place_call(ANSWERED)
    finish()

    call = InboxEntry.objects.get(pk=response.request_uuid)
    assert call.text == f"{test_urls.PROMPT} {SPOKEN_CODE} {SPOKEN_CODE}"
    assert call.status == EntryStatus.COMPLETED


def test_answer_url_gets_plivo_params_signed(place_call):
    response = place_call(ANSWERED)
    finish()

    # The view is behind plivo_webhook: it saw the request only if the signature was valid.
    [params] = received("answer")
    assert params["RequestUUID"] == response.request_uuid
    assert params["To"] == ANSWERED.lstrip("+")
    assert (params["CallStatus"], params["Direction"], params["Event"]) == ("in-progress", "outbound", "StartApp")


def test_one_digit_get_digits_is_answered_with_a_key_press(place_call):
    place_call(ANSWERED)
    finish()

    [params] = received("code")
    assert params["Digits"] == "1"


def test_completed_call_posts_a_signed_hangup_callback(place_call):
    response = place_call(ANSWERED)
    finish()

    [params] = received("hangup")
    assert params["RequestUUID"] == response.request_uuid
    assert (params["CallStatus"], params["HangupCause"]) == ("completed", "NORMAL_CLEARING")
    assert int(params["Duration"]) >= 1


def test_ring_callback_comes_before_the_answer(place_call):
    place_call(ANSWERED)
    finish()

    views = [view for view, _ in test_urls.received]
    assert views.index("ring") < views.index("answer")


def test_redirect_is_followed(place_call):
    response = place_call(ANSWERED, answer="test-redirect")
    finish()

    assert InboxEntry.objects.get(pk=response.request_uuid).text == f"{SPOKEN_CODE} {SPOKEN_CODE}"


def test_hangup_element_ends_the_call(place_call):
    response = place_call(ANSWERED, answer="test-redirect")
    finish()

    assert test_urls.NEVER_SPOKEN not in InboxEntry.objects.get(pk=response.request_uuid).text


def test_keypad_call_sends_the_pressed_digits_to_the_action_url(sandbox, place_call):
    response = place_call(ANSWERED, answer="test-keypad", timeout=5)
    assert press(sandbox, response.request_uuid, test_urls.CODE).status_code == 202
    finish()

    [params] = received("typed")
    assert params["Digits"] == test_urls.CODE
    assert InboxEntry.objects.get(pk=response.request_uuid).text == f"{test_urls.TYPE_PROMPT} {test_urls.THANKS}"


def test_keypad_press_accepts_json(sandbox, place_call):
    response = place_call(ANSWERED, answer="test-keypad", timeout=5)
    url = sandbox.url + reverse("sandbox:call-press", kwargs={"entry_id": response.request_uuid})
    assert requests.post(url, json={"digits": test_urls.CODE}, timeout=5).status_code == 202
    finish()

    assert received("typed")[0]["Digits"] == test_urls.CODE


def test_keypad_call_falls_through_when_nothing_is_pressed(place_call):
    response = place_call(ANSWERED, answer="test-keypad", timeout=1)
    finish()

    assert received("typed") == []
    assert InboxEntry.objects.get(pk=response.request_uuid).text == f"{test_urls.TYPE_PROMPT} {test_urls.NOT_PRESSED}"


def test_press_on_an_ended_call_is_refused(sandbox, place_call):
    response = place_call(ANSWERED)
    finish()

    assert press(sandbox, response.request_uuid, "1234").status_code == 409


@pytest.mark.parametrize(
    ("number", "call_status", "cause", "status"),
    [
        (NO_ANSWER, "no-answer", "NO_ANSWER", EntryStatus.NO_ANSWER),
        (BUSY, "busy", "USER_BUSY", EntryStatus.BUSY),
    ],
    ids=["99-not-answered", "98-busy"],
)
def test_unanswered_call_posts_its_hangup_without_fetching_the_answer_url(
    place_call, number, call_status, cause, status
):
    response = place_call(number)
    finish()

    [params] = received("hangup")
    assert (params["CallStatus"], params["HangupCause"], params["Duration"]) == (call_status, cause, "0")
    assert received("answer") == []
    call = InboxEntry.objects.get(pk=response.request_uuid)
    assert (call.status, call.text) == (status, "")


def test_number_ending_in_97_is_rejected_by_the_api(place_call):
    with pytest.raises(exceptions.ValidationError):
        place_call(REJECTED)

    assert not InboxEntry.objects.exists()


def test_number_ending_in_96_is_an_api_server_error(place_call):
    with pytest.raises(exceptions.PlivoServerError):
        place_call(SERVER_ERROR)

    assert not InboxEntry.objects.exists()


def test_wrong_credentials_are_refused(plivo, place_call):
    plivo.session.auth = (plivo.session.auth[0], "not-the-token")

    with pytest.raises(exceptions.AuthenticationError):
        place_call(ANSWERED)


def test_call_without_answer_url_is_refused(plivo):
    with pytest.raises(exceptions.ValidationError):
        plivo.calls.create(from_=app_settings.from_number, to_=ANSWERED, answer_url="")


def test_failing_answer_url_fails_the_call_and_still_hangs_up(place_call):
    response = place_call(ANSWERED, answer="test-broken")
    finish()

    [params] = received("hangup")
    assert (params["HangupCauseCode"], params["HangupSource"]) == ("7011", "Error")
    assert InboxEntry.objects.get(pk=response.request_uuid).status == EntryStatus.FAILED


def test_callbacks_are_refused_without_the_signature(sandbox):
    # Guards the tests above: the test views do check signatures.
    response = requests.post(test_urls.absolute("test-hangup"), data={"CallStatus": "completed"}, timeout=5)

    assert response.status_code == 403


def test_typed_digits_never_go_into_a_url(sandbox, place_call):
    callbacks.forget_seen_urls()  # other tests' calls, whose random ids may hold any digits
    response = place_call(ANSWERED, answer="test-keypad", timeout=5)
    press(sandbox, response.request_uuid, test_urls.CODE)
    finish()

    assert received("typed")
    ids = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    urls = [ids.sub("<id>", url) for url in callbacks.seen_urls()]
    assert urls and not [url for url in urls if test_urls.CODE in url]
