"""The answer, key-press and hangup views Plivo calls."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.helpers import code_of, signed_post
from verification import services

pytestmark = pytest.mark.django_db

CALL_PARAMS = {"CallUUID": "call-uuid-1", "From": "+14155550100", "To": "+14155550123", "Direction": "outbound"}


@pytest.fixture
def verification():
    return services.verification_create(phone_number="+14155550123", channel="call", locale="en-US")


@pytest.fixture
def delivery(verification):
    return verification.deliveries.get()


def answer(client, delivery, **extra):
    return signed_post(client, reverse("plivo-voice-answer", args=[delivery.id]), {**CALL_PARAMS, "CallStatus": "in-progress", **extra})


def press_key(client, delivery):
    return signed_post(client, reverse("plivo-voice-code", args=[delivery.id]), {**CALL_PARAMS, "Digits": "1"})


def spoken(xml_text):
    return [el.text for el in ET.fromstring(xml_text).iter("Speak")]


def test_the_answer_asks_for_a_key_press_before_reading_the_code(client, delivery, verification):
    response = answer(client, delivery)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    get_digits = root.find("GetDigits")
    assert get_digits.get("numDigits") == "1"
    assert get_digits.get("log") == "false"
    assert get_digits.get("action").endswith(reverse("plivo-voice-code", args=[delivery.id]))
    assert code_of(verification) not in response.content.decode()
    assert "Press any key" in get_digits.find("Speak").text


def test_after_the_key_press_the_digits_are_read_one_by_one_twice(client, delivery, verification):
    code = code_of(verification)
    response = press_key(client, delivery)
    digits = ", ".join(code)
    texts = spoken(response.content)
    assert texts[0] == f"Your OTP Site verification code is: {digits}"  # no "4." to read as "fourth"
    assert texts[1] == f"Once again, your code is: {digits}"
    assert "".join(texts).count(digits) == 2
    assert ET.fromstring(response.content).find("Hangup") is not None


def test_the_repeat_setting_controls_how_often_the_code_is_read(client, delivery, verification, settings):
    settings.VERIFICATION_VOICE_REPEAT = 3
    code = code_of(verification)
    assert "".join(spoken(press_key(client, delivery).content)).count(", ".join(code)) == 3


def test_without_the_keypress_setting_the_answer_reads_the_code(client, delivery, verification, settings):
    settings.VERIFICATION_VOICE_REQUIRE_KEYPRESS = False
    code = code_of(verification)
    response = answer(client, delivery)
    assert ET.fromstring(response.content).find("GetDigits") is None
    assert ", ".join(code) in response.content.decode()


@pytest.mark.parametrize(
    ("locale", "language", "voice"),
    [("en-US", "en-US", "WOMAN"), ("fr-FR", "fr-FR", "WOMAN"), ("hi-IN", "hi-IN", "Polly.Aditi"), ("xx-YY", "en-US", "WOMAN")],
)
def test_the_voice_and_language_come_from_the_locale(client, locale, language, voice):
    verification = services.verification_create(phone_number="+14155550140", channel="call", locale=locale)
    speak = ET.fromstring(answer(client, verification.deliveries.get()).content).find(".//Speak")
    assert (speak.get("language"), speak.get("voice")) == (language, voice)


def test_a_verification_no_longer_pending_gets_an_apology_never_the_code(client, delivery, verification):
    code = code_of(verification)
    services.verification_cancel(verification_id=verification.id)
    for response in (answer(client, delivery), press_key(client, delivery)):
        body = response.content.decode()
        assert "no longer valid" in body
        assert ", ".join(code) not in body and code not in body
        assert ET.fromstring(body).find("Hangup") is not None


def test_an_expired_verification_gets_the_apology(client, delivery, verification, clock, settings):
    clock.advance(settings.VERIFICATION_TTL_SECONDS)
    assert "no longer valid" in press_key(client, delivery).content.decode()


def test_the_site_name_is_escaped_in_the_xml(client, delivery, settings):
    settings.VERIFICATION_SITE_NAME = 'Tom & Jerry <"Inc">'
    response = answer(client, delivery)
    assert b"Tom &amp; Jerry &lt;" in response.content
    assert "Tom & Jerry <\"Inc\">" in ET.fromstring(response.content).find(".//Speak").text


def test_a_valid_signature_is_accepted(client, delivery):
    assert answer(client, delivery).status_code == 200


def test_a_missing_signature_is_forbidden(client, delivery):
    response = client.post(reverse("plivo-voice-answer", args=[delivery.id]), CALL_PARAMS)
    assert response.status_code == 403


def test_a_signature_made_with_another_token_is_forbidden(client, delivery):
    path = reverse("plivo-voice-code", args=[delivery.id])
    response = signed_post(client, path, {**CALL_PARAMS, "Digits": "1"}, token="not-the-auth-token")
    assert response.status_code == 403


def test_a_signature_for_other_parameters_is_forbidden(client, delivery):
    from verification.conf import app_settings
    from verification.signatures import sign_v3

    path = reverse("plivo-voice-code", args=[delivery.id])
    headers = sign_v3(method="POST", url=app_settings.public_base_url + path, params=CALL_PARAMS, auth_token=app_settings.auth_token)
    response = client.post(path, {**CALL_PARAMS, "Digits": "1"}, headers=headers)
    assert response.status_code == 403


def test_every_plivo_view_refuses_unsigned_requests(client, delivery):
    for name in ("plivo-voice-answer", "plivo-voice-code", "plivo-voice-hangup", "plivo-sms-status"):
        assert client.post(reverse(name, args=[delivery.id]), {}).status_code == 403


@pytest.mark.parametrize(
    ("call_status", "cause", "expected"),
    [("completed", "NORMAL_CLEARING", "completed"), ("no-answer", "NO_ANSWER", "no_answer"), ("busy", "USER_BUSY", "busy"), ("failed", "CALL_REJECTED", "failed")],
)
def test_the_hangup_callback_updates_the_delivery(client, delivery, call_status, cause, expected):
    if call_status == "completed":
        answer(client, delivery)
        press_key(client, delivery)
    path = reverse("plivo-voice-hangup", args=[delivery.id])
    response = signed_post(client, path, {**CALL_PARAMS, "CallStatus": call_status, "HangupCause": cause, "Duration": "17", "BillDuration": "60"})
    assert response.status_code == 204
    delivery.refresh_from_db()
    assert delivery.status == expected
    assert delivery.hangup_cause == cause
    assert delivery.duration_seconds == 17


def test_an_unanswered_call_fails_a_call_only_verification(client, delivery, verification):
    path = reverse("plivo-voice-hangup", args=[delivery.id])
    signed_post(client, path, {**CALL_PARAMS, "CallStatus": "no-answer", "HangupCause": "NO_ANSWER", "Duration": "0"})
    verification.refresh_from_db()
    assert verification.status == "failed"
    assert verification.code_encrypted is None


def test_no_plivo_url_carries_the_code(delivery, verification):
    code = code_of(verification)
    for name in ("plivo-voice-answer", "plivo-voice-code", "plivo-voice-hangup"):
        assert code not in reverse(name, args=[delivery.id])


def test_keypad_mode_asks_for_the_code_with_hidden_digits_and_bounded_retries(client, settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    verification = services.verification_create(phone_number="+14155550150", channel="call")
    delivery = verification.deliveries.get()
    response = answer(client, delivery)
    get_digits = ET.fromstring(response.content).find("GetDigits")
    assert get_digits.get("numDigits") == "6"
    assert get_digits.get("log") == "false"
    assert get_digits.get("retries") == "3"
    assert get_digits.get("action").endswith(reverse("plivo-voice-digits", args=[delivery.id]))
    assert code_of(verification) not in response.content.decode()


def test_keypad_digits_are_a_check(client, settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    verification = services.verification_create(phone_number="+14155550150", channel="call")
    delivery = verification.deliveries.get()
    path = reverse("plivo-voice-digits", args=[delivery.id])
    response = signed_post(client, path, {**CALL_PARAMS, "Digits": code_of(verification)})
    assert "verified" in response.content.decode()
    verification.refresh_from_db()
    assert verification.status == "approved"


def test_keypad_digits_without_a_signature_are_forbidden(client, settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    verification = services.verification_create(phone_number="+14155550150", channel="call")
    delivery = verification.deliveries.get()
    response = client.post(reverse("plivo-voice-digits", args=[delivery.id]), {"Digits": "123456"})
    assert response.status_code == 403
    verification.refresh_from_db()
    assert verification.failed_checks == 0


def test_one_valid_signature_among_several_is_accepted(client, delivery):
    """During a token rotation Plivo sends one signature per token, comma-separated."""
    from verification.conf import app_settings
    from verification.signatures import SIGNATURE_HEADER, sign_v3

    path = reverse("plivo-voice-answer", args=[delivery.id])
    params = {**CALL_PARAMS, "CallStatus": "in-progress"}
    headers = sign_v3(method="POST", url=app_settings.public_base_url + path, params=params, auth_token=app_settings.auth_token)
    headers[SIGNATURE_HEADER] = "bm90LXRoZS1zaWduYXR1cmU=," + headers[SIGNATURE_HEADER]
    assert client.post(path, params, headers=headers).status_code == 200


def test_a_call_completed_without_the_key_press_is_not_a_delivery(client, delivery, verification):
    """A voicemail answers and hangs up: the code never reached a person."""
    answer(client, delivery)
    path = reverse("plivo-voice-hangup", args=[delivery.id])
    signed_post(client, path, {**CALL_PARAMS, "CallStatus": "completed", "HangupCause": "NORMAL_CLEARING", "Duration": "21"})
    delivery.refresh_from_db()
    verification.refresh_from_db()
    assert (delivery.status, delivery.hangup_cause) == ("no_answer", "NORMAL_CLEARING")
    assert verification.status == "failed"


def hang_up(client, delivery, **params):
    path = reverse("plivo-voice-hangup", args=[delivery.id])
    return signed_post(client, path, {**CALL_PARAMS, "Duration": "21", "BillDuration": "60", **params})


def test_the_hangup_stores_plivos_hangup_cause_code_name_and_source(client, delivery):
    answer(client, delivery)
    press_key(client, delivery)
    hang_up(
        client,
        delivery,
        CallStatus="completed",
        HangupCause="NORMAL_CLEARING",
        HangupCauseCode="4000",
        HangupCauseName="Normal Hangup",
        HangupSource="Answer XML",
    )
    delivery.refresh_from_db()
    assert delivery.status == "completed"
    assert (delivery.hangup_cause_code, delivery.hangup_cause_name, delivery.hangup_source) == (
        "4000",
        "Normal Hangup",
        "Answer XML",
    )
    assert delivery.hangup_cause == "NORMAL_CLEARING"


def test_an_unanswered_hangup_stores_the_ring_timeout(client, delivery):
    hang_up(
        client,
        delivery,
        CallStatus="no-answer",
        HangupCause="NO_ANSWER",
        HangupCauseCode="6010",
        HangupCauseName="Ring Timeout Reached",
        HangupSource="Plivo",
        Duration="0",
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.hangup_cause_code, delivery.hangup_source) == ("no_answer", "6010", "Plivo")


def test_a_hangup_on_an_error_of_ours_says_so_on_the_delivery(client, delivery):
    answer(client, delivery)
    hang_up(
        client,
        delivery,
        CallStatus="completed",
        HangupCause="NORMAL_CLEARING",
        HangupCauseCode="8011",
        HangupCauseName="Invalid Answer XML",
        HangupSource="Error",
    )
    delivery.refresh_from_db()
    assert delivery.status == "no_answer"  # the code never reached a person
    assert delivery.error == "Plivo hung up: 8011 Invalid Answer XML"


def test_a_voicemail_hangup_ends_as_no_answer_with_its_cause(client, delivery, verification):
    """95 in the sandbox: answered, the key press never comes, the XML hangs up."""
    answer(client, delivery)
    hang_up(
        client,
        delivery,
        CallStatus="completed",
        HangupCause="NORMAL_CLEARING",
        HangupCauseCode="4000",
        HangupCauseName="Normal Hangup",
        HangupSource="Answer XML",
    )
    delivery.refresh_from_db()
    verification.refresh_from_db()
    assert (delivery.status, delivery.hangup_cause_code) == ("no_answer", "4000")
    assert verification.status == "failed"


def test_a_hangup_cause_code_that_is_not_a_number_is_ignored(client, delivery):
    hang_up(client, delivery, CallStatus="busy", HangupCause="USER_BUSY", HangupCauseCode="busy!", HangupSource="Carrier")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.hangup_cause_code, delivery.hangup_source) == ("busy", "", "Carrier")
