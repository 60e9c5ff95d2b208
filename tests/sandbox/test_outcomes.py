"""The outcomes chosen by the number's last two digits: 95 voicemail, 94 '#' only, 93 silent."""

import pytest
from plivo import exceptions

from verification.contrib.sandbox import simulator
from verification.contrib.sandbox.models import EntryStatus, InboxEntry

from . import urls as test_urls
from .support import HASH_ONLY, SILENT, VOICEMAIL, finish, received


def test_voicemail_answers_the_call(place_call):
    response = place_call(VOICEMAIL)
    finish()

    assert [params["CallStatus"] for params in received("answer")] == ["in-progress"]
    assert InboxEntry.objects.get(pk=response.request_uuid).status == EntryStatus.COMPLETED


def test_voicemail_never_presses_a_key_so_get_digits_falls_through(place_call):
    response = place_call(VOICEMAIL)
    finish()

    assert received("code") == []
    assert InboxEntry.objects.get(pk=response.request_uuid).text == f"{test_urls.PROMPT} {test_urls.NOT_PRESSED}"


def test_voicemail_hears_every_try_of_get_digits(place_call):
    response = place_call(VOICEMAIL, answer="test-answer-retries", retries=2)
    finish()

    prompt, not_pressed = test_urls.PROMPT, test_urls.NOT_PRESSED
    assert InboxEntry.objects.get(pk=response.request_uuid).text == f"{prompt} {prompt} {not_pressed}"


def test_voicemail_call_hangs_up_completed_by_the_xml(place_call):
    place_call(VOICEMAIL, answer="test-answer-retries", retries=2)
    finish()

    [params] = received("hangup")
    assert (params["CallStatus"], params["HangupCauseCode"], params["HangupSource"]) == ("completed", "4000", "Answer XML")


def test_voicemail_does_not_type_on_the_keypad(place_call):
    response = place_call(VOICEMAIL, answer="test-keypad", timeout=5)
    finish()

    assert received("typed") == []
    assert InboxEntry.objects.get(pk=response.request_uuid).text == f"{test_urls.TYPE_PROMPT} {test_urls.NOT_PRESSED}"


def test_hash_only_sends_no_digits_to_the_action_url(place_call):
    response = place_call(HASH_ONLY, answer="test-answer-retries", retries=2)
    finish()

    assert received("code") == []
    prompt, not_pressed = test_urls.PROMPT, test_urls.NOT_PRESSED
    assert InboxEntry.objects.get(pk=response.request_uuid).text == f"{prompt} {prompt} {not_pressed}"


@pytest.mark.parametrize("finish_on_key", ["none", "empty"])
def test_hash_only_sends_hash_when_get_digits_has_no_finishing_key(place_call, finish_on_key):
    # Plivo: finishOnKey set to "none" or the empty string ends input only by timeout or numDigits.
    response = place_call(HASH_ONLY, answer="test-answer-any-key", finish=finish_on_key)
    finish()

    [params] = received("code")
    assert params["Digits"] == "#"
    assert test_urls.NOT_PRESSED not in InboxEntry.objects.get(pk=response.request_uuid).text


def test_hash_only_types_no_code_in_keypad_mode(place_call):
    place_call(HASH_ONLY, answer="test-keypad", timeout=5)
    finish()

    assert received("typed") == []
    [params] = received("hangup")
    assert params["CallStatus"] == "completed"


def test_silent_call_is_accepted_like_any_other(place_call):
    response = place_call(SILENT)

    assert response.message == "call fired"
    assert InboxEntry.objects.filter(pk=response.request_uuid).exists()


def test_silent_call_is_never_placed_and_never_calls_back(place_call):
    response = place_call(SILENT)
    finish()

    assert test_urls.received == []
    call = InboxEntry.objects.get(pk=response.request_uuid)
    assert (call.status, call.text, call.ended_at) == (EntryStatus.QUEUED, "", None)
    assert simulator.wait_until_idle(timeout=0)


def test_silent_call_stays_queued_at_plivo(place_call, plivo):
    response = place_call(SILENT)
    finish()

    assert plivo.queued_calls.get(response.request_uuid).call_status == "queued"
    with pytest.raises(exceptions.ResourceNotFoundError):
        plivo.calls.get(response.request_uuid)
    with pytest.raises(exceptions.ResourceNotFoundError):
        plivo.live_calls.get(response.request_uuid)


def test_silent_sms_is_accepted_and_never_reported(send_sms):
    response = send_sms(SILENT)
    finish()

    assert response.message == "message(s) queued"
    assert received("sms-status") == []
    sms = InboxEntry.objects.get(pk=response.message_uuid[0])
    assert (sms.status, sms.text) == (EntryStatus.QUEUED, "")


def test_silent_sms_stays_queued_at_plivo(send_sms, plivo):
    response = send_sms(SILENT)
    finish()

    assert plivo.messages.get(response.message_uuid[0]).message_state == "queued"
