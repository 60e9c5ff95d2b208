"""What an API consumer reads in an error: a 429 says its wait once, in words, with
Retry-After in seconds; a body with several mistakes names every one at once."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/verifications"


def create(api, **body):
    return api.post(URL, {"phone_number": "+14155550123", "channel": "call", **body}, format="json")


def only_error(response):
    body = response.json()
    assert body["type"] == "client_error"
    [error] = body["errors"]
    return error


def test_a_429_says_its_wait_once_and_retry_after_stays_in_seconds(api, clock):
    create(api)
    clock.advance(1)
    refused = create(api)
    assert refused.status_code == 429
    assert only_error(refused) == {
        "code": "resend_cooldown",
        "detail": "A code was just sent to this number. Try again in 29 seconds.",
        "attr": None,
    }
    assert refused["Retry-After"] == "29"


def test_an_hours_wait_is_said_in_minutes(api, clock, settings):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 1
    create(api)
    clock.advance(11)
    refused = create(api, phone_number="+14155550123")
    assert refused.status_code == 429
    error = only_error(refused)
    assert error["code"] == "too_many_sends"
    assert error["detail"] == "This number cannot receive more codes just now. Try again in 60 minutes."
    assert "seconds" not in error["detail"] and "Expected available" not in error["detail"]
    assert refused["Retry-After"] == "3589"


def test_the_per_key_cap_says_its_wait_in_minutes(api, clock, settings):
    settings.VERIFICATION_MAX_VERIFICATIONS_PER_KEY_PER_HOUR = 1
    create(api)
    clock.advance(600)
    error = only_error(create(api, phone_number="+14155550124"))
    assert error["code"] == "too_many_verifications_for_key"
    assert error["detail"].endswith(" Try again in 50 minutes.")


def test_a_bad_number_a_bad_channel_and_an_unknown_field_are_reported_together(api):
    response = api.post(URL, {"phone_number": "+1415", "channel": "fax", "colour": "blue"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert {(e["attr"], e["code"]) for e in body["errors"]} == {
        ("phone_number", "invalid_phone_number"),
        ("channel", "invalid_choice"),
        ("colour", "unknown_field"),
    }
    assert all(set(error) == {"code", "detail", "attr"} and error["detail"] for error in body["errors"])


def test_a_bad_country_and_a_national_number_are_both_named(api):
    response = api.post(URL, {"phone_number": "415 555 0123", "country": "USA", "locale": "en US!"}, format="json")
    assert response.status_code == 400
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {
        ("phone_number", "invalid_phone_number"),
        ("country", "invalid"),
        ("locale", "invalid"),
    }


def test_a_country_phonenumbers_does_not_know_is_named_as_the_country(api):
    response = api.post(URL, {"phone_number": "4155550135", "country": "ZZ"}, format="json")
    assert response.status_code == 400
    errors = {e["attr"]: e for e in response.json()["errors"]}
    assert (errors["country"]["code"], errors["country"]["detail"]) == ("invalid", "Unknown country: give its ISO 3166 code, e.g. US.")
    assert api.post(URL, {"phone_number": "4155550135", "country": "us", "channel": "sms"}, format="json").status_code == 201


def test_a_check_by_number_names_every_mistake_too(api):
    response = api.post(f"{URL}/check", {"phone_number": "not a number", "code": "12", "extra": 1}, format="json")
    assert response.status_code == 400
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {
        ("phone_number", "invalid_phone_number"),
        ("code", "invalid"),
        ("extra", "unknown_field"),
    }


def test_a_number_alone_wrong_is_still_one_error_with_the_rules_code(api, settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["US"]
    response = api.post(URL, {"phone_number": "+447400123456"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "country_not_allowed", "detail": "Phone numbers from GB are not accepted.", "attr": "phone_number"}
    ]
