"""The call speaks the verification's language and voice, through the views Plivo calls."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from tests.helpers import code_of, signed_post
from tests.languages.expected import EXPECTED, UNSUPPORTED
from verification import services
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db

CALL_PARAMS = {"CallUUID": "call-uuid-1", "From": "+14155550100", "To": "+14155550123", "Direction": "outbound"}


def call_for(locale):
    verification = services.verification_create(phone_number="+14155550123", channel="call", locale=locale)
    return verification, verification.deliveries.get()


def answer(client, delivery):
    path = reverse("plivo-voice-answer", args=[delivery.id])
    return ET.fromstring(signed_post(client, path, {**CALL_PARAMS, "CallStatus": "in-progress"}).content)


def press_key(client, delivery):
    path = reverse("plivo-voice-code", args=[delivery.id])
    return ET.fromstring(signed_post(client, path, {**CALL_PARAMS, "Digits": "1"}).content)


def voices(root):
    return {(speak.get("language"), speak.get("voice")) for speak in root.iter("Speak")}


@pytest.mark.parametrize("locale", EXPECTED)
def test_the_key_press_prompt_is_in_the_locales_language_and_voice(client, locale):
    expected = EXPECTED[locale]
    _verification, delivery = call_for(locale)
    root = answer(client, delivery)
    assert voices(root) == {(expected.language, expected.standard_voice)}
    assert expected.press_a_key in root.find("GetDigits/Speak").text


@pytest.mark.parametrize("locale", EXPECTED)
def test_the_code_is_read_in_the_locales_language_and_voice(client, locale):
    expected = EXPECTED[locale]
    verification, delivery = call_for(locale)
    root = press_key(client, delivery)
    digits = ", ".join(code_of(verification))
    assert voices(root) == {(expected.language, expected.standard_voice)}
    assert root.find("Speak").text == expected.code_sentence.format(digits=digits)


@pytest.mark.parametrize("locale", EXPECTED)
def test_with_polly_the_digits_are_ssml_say_as_digits_in_the_polly_voice(client, settings, locale):
    settings.VERIFICATION_VOICE_ENGINE = "polly"
    expected = EXPECTED[locale]
    verification, delivery = call_for(locale)
    code = code_of(verification)
    root = press_key(client, delivery)
    first = root.find("Speak")
    say_as = first.findall("say-as")
    assert voices(root) == {(expected.language, expected.polly_voice)}
    assert first.text == expected.code_sentence.split("{digits}")[0]
    assert [element.get("interpret-as") for element in say_as] == ["digits"] * len(code)
    assert "".join(element.text for element in say_as) == code
    assert len(first.findall("break")) == len(code) - 1  # a pause between every two digits


def test_with_polly_every_reading_of_the_code_is_ssml(client, settings):
    settings.VERIFICATION_VOICE_ENGINE = "polly"
    verification, delivery = call_for("fr-FR")
    code = code_of(verification)
    readings = [speak for speak in press_key(client, delivery).iter("Speak") if speak.find("say-as") is not None]
    assert [speak.text for speak in readings] == ["Votre code de vérification OTP Site est : ", "Je répète, votre code est : "]
    assert all("".join(s.text for s in speak.iter("say-as")) == code for speak in readings)


@pytest.mark.parametrize("locale", ["en-GB", "en-IN"])
def test_british_and_indian_english_press_the_hash_key(client, settings, locale):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    _verification, delivery = call_for(locale)
    assert "press the hash key" in answer(client, delivery).find("GetDigits/Speak").text


def test_us_english_presses_the_pound_key(client, settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    _verification, delivery = call_for("en-US")
    assert "press the pound key" in answer(client, delivery).find("GetDigits/Speak").text


def test_the_apology_is_in_the_locales_language(client):
    verification, delivery = call_for("de-DE")
    services.verification_cancel(verification_id=verification.id)
    assert press_key(client, delivery).find("Speak").text.startswith("Dieser Bestätigungscode ist leider nicht mehr gültig.")


@pytest.mark.parametrize("locale", UNSUPPORTED)
def test_an_unsupported_locale_is_spoken_in_english(client, locale):
    verification, delivery = call_for(locale)
    root = press_key(client, delivery)
    assert verification.locale == "en-US"
    assert voices(root) == {("en-US", "WOMAN")}
    assert root.find("Speak").text == f"Your OTP Site verification code is: {', '.join(code_of(verification))}"


def test_the_apis_locale_chooses_the_calls_language(client):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {APIKey.objects.create_key(name='acme')[1]}")
    body = {"phone_number": "+14155550123", "channel": "call", "locale": "PT-br"}
    response = api.post("/api/v1/verifications", body, format="json")
    assert response.status_code == 201
    verification = VerificationAttempt.objects.get(pk=response.json()["id"])
    assert verification.locale == "pt-BR"
    assert "Pressione qualquer tecla" in answer(client, verification.deliveries.get()).find("GetDigits/Speak").text


@pytest.mark.parametrize("locale", EXPECTED)
def test_any_key_means_any_key_including_hash(client, locale):
    # Plivo's default finishOnKey="#" would end "press any key" empty on '#': no finishing key.
    _verification, delivery = call_for(locale)
    get_digits = answer(client, delivery).find("GetDigits")
    assert (get_digits.get("numDigits"), get_digits.get("finishOnKey")) == ("1", "none")


def test_keypad_mode_still_ends_the_typed_code_with_hash(client, settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    _verification, delivery = call_for("en-US")
    assert answer(client, delivery).find("GetDigits").get("finishOnKey") == "#"
