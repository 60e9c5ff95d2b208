"""The OpenAPI document refuses what the API refuses: unknown body fields, and an
Idempotency-Key the API would not take."""

import re

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/verifications"


def document(api):
    return api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()


def test_every_request_body_refuses_unknown_fields_in_the_document_as_the_api_does(api):
    schemas = document(api)["components"]["schemas"]
    requests = {name: schema for name, schema in schemas.items() if name.endswith("Request")}
    assert set(requests) == {"VerificationCreateInputRequest", "CheckInputRequest", "CheckByNumberInputRequest", "ResendInputRequest"}
    assert all(schema["additionalProperties"] is False for schema in requests.values())
    answer = api.post(URL, {"phone_number": "+14155550123", "channel": "sms", "colour": "blue"}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["code"] == "unknown_field"


def test_the_idempotency_key_the_document_allows_is_the_one_the_api_takes(api):
    [header] = document(api)["paths"][URL]["post"]["parameters"]
    assert (header["name"], header["schema"]["minLength"], header["schema"]["maxLength"]) == ("Idempotency-Key", 1, 255)
    pattern = re.compile(header["schema"]["pattern"])
    longest = "k" * 254 + "~"
    assert pattern.match(longest)
    taken = api.post(URL, {"phone_number": "+14155550123", "channel": "sms"}, format="json", HTTP_IDEMPOTENCY_KEY=longest)
    assert taken.status_code == 201
    too_long = api.post(URL, {"phone_number": "+14155550124", "channel": "sms"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["attr"] == "Idempotency-Key"
    assert not pattern.match(" padded ")  # HTTP trims a header's spaces: the document does not offer them


@pytest.mark.parametrize("key", ["café", "ключ", "tab\there"])
def test_an_idempotency_key_outside_printable_ascii_is_refused_as_the_document_says(api, key):
    [header] = document(api)["paths"][URL]["post"]["parameters"]
    assert not re.match(header["schema"]["pattern"], key)
    environ = {"HTTP_IDEMPOTENCY_KEY": key.encode().decode("latin-1")}  # as a WSGI server hands the header on
    refused = api.post(URL, {"phone_number": "+14155550123", "channel": "sms"}, format="json", **environ)
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "Idempotency-Key"
