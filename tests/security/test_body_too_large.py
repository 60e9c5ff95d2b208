"""Finding 7 of issue 11: a body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB)
was a 500 on the API (RequestDataTooBig, raised before the API's own size-limited
parser) and a 400 on Plivo's callbacks and the pages. It is a 413 everywhere: in the
API's error shape under /api/, plain text elsewhere. Through the whole HTTP stack."""

import uuid

import pytest
import requests
from django.test import Client
from django.urls import reverse
from rest_framework_api_key.models import APIKey

from verification.conf import app_settings
from verification.signatures import sign_v3

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
JSON_BODY = b'{"phone_number": "+1' + b"4" * (3 * MiB) + b'"}'
SOME_ID = str(uuid.uuid4())
API_OPERATIONS = [
    ("POST", "/api/v1/verifications"),
    ("POST", "/api/v1/verifications/check"),
    ("GET", f"/api/v1/verifications/{SOME_ID}"),
    ("POST", f"/api/v1/verifications/{SOME_ID}/check"),
    ("POST", f"/api/v1/verifications/{SOME_ID}/resend"),
    ("POST", f"/api/v1/verifications/{SOME_ID}/cancel"),
    ("GET", "/api/v1/schema/"),
    ("GET", "/api/v1/docs/"),
    ("POST", "/api/v1/no-such-path"),
]
PLIVO_CALLBACKS = ["plivo-voice-answer", "plivo-voice-code", "plivo-voice-digits", "plivo-voice-hangup", "plivo-sms-status"]


def api_client():
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Api-Key {APIKey.objects.create_key(name='acme')[1]}")


def assert_api_413(response):
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["type"] == "client_error"
    assert [(error["code"], error["attr"]) for error in body["errors"]] == [("payload_too_large", None)]
    assert "KiB" in body["errors"][0]["detail"]


def signed_form(path, size=3 * MiB):
    """A callback as Plivo would sign it, carrying a body far over the limit."""
    params = {"CallUUID": "call-uuid-1", "MessageUUID": "message-uuid-1", "Padding": "x" * size}
    headers = sign_v3(method="POST", url=app_settings.public_base_url + path, params=params, auth_token=app_settings.auth_token)
    return params, headers


@pytest.mark.parametrize(("method", "path"), API_OPERATIONS)
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded", "text/plain"])
def test_a_3_mib_body_to_any_api_path_is_413_in_the_error_shape(method, path, content_type):
    response = api_client().generic(method, path, data=JSON_BODY, content_type=content_type)
    assert_api_413(response)


def test_a_3_mib_body_without_an_api_key_is_413_too():
    response = Client(raise_request_exception=False).post("/api/v1/verifications", JSON_BODY, content_type="application/json")
    assert_api_413(response)


def test_a_body_under_djangos_limit_but_over_the_apis_is_413_on_every_api_path():
    body = b'{"code": "' + b"1" * (20 * 1024) + b'"}'  # 20 KiB: over the API's 16 KiB
    response = api_client().post(f"/api/v1/verifications/{SOME_ID}/cancel", body, content_type="application/json")
    assert_api_413(response)


def test_djangos_limit_met_inside_the_api_is_413_not_500(settings):
    """Without the middleware (as before), the API's exception handler still answers 413."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("RequestTooLargeMiddleware")]
    response = api_client().post("/api/v1/verifications", JSON_BODY, content_type="application/json")
    assert_api_413(response)


@pytest.mark.parametrize("name", PLIVO_CALLBACKS)
def test_a_3_mib_signed_plivo_callback_is_a_plain_413(name):
    path = reverse(name, args=[uuid.uuid4()])
    params, headers = signed_form(path)
    response = Client(raise_request_exception=False).post(path, params, headers=headers)
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/"])
def test_a_3_mib_body_to_a_page_is_a_plain_413(path):
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    response = client.post(path, {"username": "ada", "password": "x" * (3 * MiB)})
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("text/plain")


@pytest.mark.django_db(transaction=True)
def test_over_a_real_socket_the_api_and_a_callback_answer_413(live_server):
    session = requests.Session()
    session.trust_env = False
    key = APIKey.objects.create_key(name="acme")[1]
    api = session.post(
        f"{live_server.url}/api/v1/verifications",
        data=JSON_BODY,
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        timeout=60,
    )
    assert_api_413(api)
    path = reverse("plivo-voice-answer", args=[uuid.uuid4()])
    params, headers = signed_form(path)
    callback = session.post(f"{live_server.url}{path}", data=params, headers=headers, timeout=60)
    assert callback.status_code == 413
