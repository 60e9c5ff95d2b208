"""Every request example in the OpenAPI document (what Swagger UI fills in) can be sent as it is:
each one, sent in the document's order, gets a 2xx or an answer the operation documents."""

import json
import re

import pytest

from verification.locales import LOCALES

pytestmark = pytest.mark.django_db

ID_PATH = "{verification_id}"


def documented_examples(client):
    """(path, method, example name, body, documented statuses) for each request example."""
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, example in content.get("examples", {}).items():
                found.append((path, method, name, example["value"], set(operation["responses"])))
    return found


def test_every_request_operation_documents_examples(api):
    operations = {(path, method) for path, method, *_ in documented_examples(api)}
    assert operations == {
        ("/api/v1/verifications", "post"),
        ("/api/v1/verifications/check", "post"),
        ("/api/v1/verifications/{verification_id}/check", "post"),
        ("/api/v1/verifications/{verification_id}/resend", "post"),
    }


def test_no_example_has_a_made_up_country_or_locale(api):
    for _path, _method, name, body, _ in documented_examples(api):
        assert body.get("country", "US") in ("US", "GB", "FR", "IN", "DE", "BR", "ES"), name
        assert body.get("locale", "en-US") in LOCALES, name


def test_each_example_sent_as_it_is_gets_2xx_or_a_documented_answer(api, clock):
    examples = documented_examples(api)
    creates = [e for e in examples if e[0] == "/api/v1/verifications"]
    assert len(creates) >= 2
    ids = []
    for path, _method, name, body, _documented in creates:
        response = api.post(path, body, format="json")
        assert response.status_code == 201, (name, response.content)
        ids.append(response.json()["id"])
    clock.advance(31)  # past the resend cooldown, as a person reading the docs would be
    for path, _method, name, body, documented in (e for e in examples if e not in creates):
        target = path.replace(ID_PATH, ids[0])
        response = api.post(target, body, format="json")
        assert str(response.status_code) in documented, (name, response.status_code, documented)
        assert 200 <= response.status_code < 300, (name, response.content)
        if "check" in path:
            assert set(response.json()) == {"id", "status", "valid", "checks_remaining"}


def test_the_examples_phone_numbers_are_the_sandboxs_answered_ones(api):
    for _path, _method, name, body, _ in documented_examples(api):
        number = body.get("phone_number")
        if number:
            assert not re.search(r"9[6-9]$", re.sub(r"\D", "", number)), name  # not a sandbox failure number


def test_no_operation_is_described_by_the_views_base_class_docstring(api):
    schema = json.loads(api.get("/api/v1/schema/?format=json").content)
    descriptions = [op.get("description", "") for ops in schema["paths"].values() for op in ops.values()]
    assert not any("REST_FRAMEWORK" in text for text in descriptions)
