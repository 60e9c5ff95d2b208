"""A body sent chunked (no Content-Length), as streaming clients send it: read whole where the
server decodes it (gunicorn, make serve), 411 where it does not (runserver), never read as empty."""

import json
import sys

import pytest
from rest_framework_api_key.models import APIKey

from tests.processes import database_url_of_tests, free_port, session, site_env, start, stop, wait_until_up

pytestmark = pytest.mark.django_db(transaction=True)


def chunks(body, size=7):
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return (data[i : i + size] for i in range(0, len(data), size))  # requests sends a generator chunked


@pytest.fixture
def gunicorn_site(tmp_path):
    port = free_port()
    env = site_env(DJANGO_SETTINGS_MODULE="otpsite.settings", DJANGO_DEBUG="1", DATABASE_URL=database_url_of_tests(),
                   RATELIMIT_CACHE_DIR=str(tmp_path / "limits"))  # fmt: skip
    command = [sys.executable, "-m", "gunicorn", "otpsite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"]
    process = start(command, env, tmp_path / "web.log")
    try:
        wait_until_up(process, f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def test_a_chunked_create_is_read_whole_by_gunicorn(gunicorn_site):
    headers = {"Authorization": f"Api-Key {APIKey.objects.create_key(name='acme')[1]}", "Content-Type": "application/json"}
    body = {"phone_number": "+14155558402", "channel": "sms"}
    response = session().post(f"{gunicorn_site}/api/v1/verifications", data=chunks(body), headers=headers, timeout=30)
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert response.status_code == 201, response.text
    assert response.json()["phone_number"] == "+14155558402"


def test_a_chunked_body_over_the_limit_is_a_413_as_with_a_length(gunicorn_site):
    headers = {"Authorization": f"Api-Key {APIKey.objects.create_key(name='acme')[1]}", "Content-Type": "application/json"}
    body = {"phone_number": "+14155558402", "channel": "sms", "locale": "x" * 40_000}
    response = session().post(f"{gunicorn_site}/api/v1/verifications", data=chunks(body, 4096), headers=headers, timeout=30)
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "payload_too_large"


def test_a_chunked_body_runserver_cannot_read_is_a_411_not_a_missing_field(http):
    response = http.post(http.base, data=chunks({"phone_number": "+14155558402"}), timeout=30,
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 411
    assert response.json()["errors"] == [
        {"code": "length_required", "detail": "Send the body with a Content-Length: this server does not read chunked bodies.", "attr": None}  # fmt: skip
    ]
