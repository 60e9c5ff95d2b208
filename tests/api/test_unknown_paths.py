"""A path under /api/v1/ that is no endpoint answers the API's JSON 404, not Django's page."""

import uuid

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

UNKNOWN = [
    "/api/v1/",
    "/api/v1/nope",
    "/api/v1/verifications/",  # a trailing slash
    f"/api/v1/verifications/{uuid.uuid4()}/",
    f"/api/v1/verifications/{uuid.uuid4()}/check/",
    "/api/v1/verifications/check/",
]


@pytest.mark.parametrize("debug", [False, True], ids=["production", "make run (DEBUG)"])
@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_path_answers_the_json_404_with_or_without_a_key(api, path, debug, settings):
    settings.DEBUG = debug
    for client in (api, APIClient()):
        for answer in (client.get(path), client.post(path, {"code": "123456"}, format="json")):
            assert answer.status_code == 404, (path, answer.status_code)
            assert answer["Content-Type"] == "application/json"
            body = answer.json()
            assert body["type"] == "client_error" and body["errors"][0]["code"] == "not_found"
            assert "/api/v1/docs/" in body["errors"][0]["detail"]


def test_the_schema_and_the_docs_without_their_slash_still_redirect_to_them(api):
    for path in ("/api/v1/schema", "/api/v1/docs"):
        answer = api.get(path)
        assert answer.status_code == 301 and answer["Location"] == f"{path}/"


def test_the_catch_all_is_not_in_the_openapi_document(api):
    paths = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/api/v1/verifications" in paths and not [p for p in paths if "unknown" in p or p == "/api/v1/"]
