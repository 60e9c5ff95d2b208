"""/healthz and /readyz (contract section 9), with each dependency up, not configured and down."""

import sys

import pytest

from tests.health.conftest import answer_of
from tests.processes import free_port, session, site_env, start, stop, wait_until_up

pytestmark = pytest.mark.django_db


def test_healthz_answers_while_the_process_serves(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_every_dependency_and_says_ok(client, broker):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "broker": "ok"}


def test_readyz_reports_what_the_embedded_default_does_not_configure(client, settings):
    settings.REDIS_URL = ""  # no Redis, eager tasks: make run
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured", "broker": "not configured"}


def test_readyz_is_503_naming_redis_when_redis_is_down(client, redis_down, broker):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "unavailable",
        "broker": "ok",
        "unavailable": ["redis"],
    }


def test_readyz_is_503_naming_the_broker_when_the_broker_is_down(client, broker_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["unavailable"] == ["broker"]


def test_readyz_is_503_naming_the_database_when_postgresql_is_out_of_reach(tmp_path):
    """A gunicorn of its own, its DATABASE_URL at a closed port: healthz still 200, readyz 503."""
    port = free_port()
    env = site_env(
        DJANGO_SETTINGS_MODULE="otpsite.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/otpsite",
    )
    command = [sys.executable, "-m", "gunicorn", "otpsite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"]
    process = start(command, env, tmp_path / "web.log")
    try:
        wait_until_up(process, f"http://127.0.0.1:{port}/healthz")
        response = session().get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "database": "unavailable",
            "redis": "not configured",
            "broker": "not configured",
            "unavailable": ["database"],
        }
        page = session().get(f"http://127.0.0.1:{port}/accounts/login/", timeout=10)
        assert page.status_code in (200, 503)  # the sign-in form needs no database until it is posted
        posted = session().post(
            f"http://127.0.0.1:{port}/api/v1/verifications",
            json={"phone_number": "+14155550123"},
            headers={"Authorization": "Api-Key abcdefgh.0123456789abcdef0123456789abcdef"},  # looked up in the database
            timeout=10,
        )
        assert posted.status_code == 503 and posted.json()["errors"][0]["code"] == "service_unavailable"
    finally:
        stop(process)


def test_readyz_is_503_naming_redis_and_the_broker_when_they_stop_answering(client, frozen_redis):
    response = answer_of(lambda: client.get("/readyz"))
    assert response.status_code == 503
    assert response.json()["unavailable"] == ["broker", "redis"]
    assert client.get("/healthz").status_code == 200
