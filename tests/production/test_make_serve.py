"""`make serve`: gunicorn, a Celery worker and beat on PostgreSQL and Redis, DEBUG off."""

import os
import re
import signal
import subprocess
import sys
import time

import psycopg
import pytest
import redis

from tests.processes import (
    ROOT,
    SiteClient,
    create_api_key,
    free_port,
    log_text,
    session,
    site_env,
    start,
    stop,
    wait_until_up,
)
from verification.conf import SANDBOX_AUTH_ID, sandbox_auth_token

DATABASE = "otpsite_serve_test"
REDIS_CACHE, REDIS_BROKER = "redis://127.0.0.1:6379/12", "redis://127.0.0.1:6379/13"


def fresh_database():
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make serve`'s command line, with a development .env beside it that asks for DEBUG."""
    home = tmp_path_factory.mktemp("serve")
    fresh_database()
    for url in (REDIS_CACHE, REDIS_BROKER):
        redis.Redis.from_url(url).flushdb()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    dev_env_file = home / ".env"
    dev_env_file.write_text("DJANGO_DEBUG=1\n")  # what `make run` writes: must not switch DEBUG on here
    env = site_env(
        DJANGO_SETTINGS_MODULE="otpsite.settings",
        DJANGO_ENV_FILE=dev_env_file,
        DJANGO_SECRET_KEY="serve-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        REDIS_URL=REDIS_CACHE,
        CELERY_BROKER_URL=REDIS_BROKER,
        DJANGO_STATIC_ROOT=home / "static",
        VERIFICATION_SANDBOX_IN_PRODUCTION="1",
        PUBLIC_BASE_URL=url,
        HOST_PORT=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    process = start([sys.executable, "-m", "otpsite.serve"], env, home / "serve.log")
    try:
        wait_until_up(process, f"{url}/readyz", timeout=90)
        yield url, env, process
    finally:
        stop(process)


def test_it_is_ready_on_postgresql_redis_and_the_broker(served):
    url, _, _ = served
    assert session().get(f"{url}/readyz", timeout=10).json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "broker": "ok",
    }


def test_debug_stays_off_whatever_a_development_env_file_says(served):
    url, _, _ = served
    response = session().get(f"{url}/no-such-page/", timeout=10)
    assert response.status_code == 404
    assert "Django tried these URL patterns" not in response.text  # the DEBUG page would list them


def test_static_files_are_served_hashed_and_compressed(served):
    url, _, _ = served
    http = session()
    admin = http.get(f"{url}/admin/login/", timeout=10).text
    [css] = re.findall(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', admin)
    style = http.get(url + css, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert style.status_code == 200 and style.headers["Content-Type"].startswith("text/css")
    assert style.headers.get("Content-Encoding") == "gzip"
    assert "max-age=315360000" in style.headers["Cache-Control"]  # hashed names are cached for good

    docs = http.get(f"{url}/api/v1/docs/", timeout=10).text
    [bundle] = re.findall(r'src="(/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle\.[0-9a-f]{12}\.js)"', docs)
    script = http.get(url + bundle, timeout=10)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert "SwaggerUIBundle" in script.text


def test_a_call_verification_goes_through_the_worker_to_approved(served):
    url, env, process = served
    # With DEBUG off the sandbox's inbox wants its credentials, as a staging harness sends them.
    credentials = (SANDBOX_AUTH_ID, sandbox_auth_token(env["DJANGO_SECRET_KEY"]))
    api = SiteClient(url, create_api_key(env), sandbox_auth=credentials)
    assert session().get(f"{url}/sandbox/inbox/", timeout=10).status_code == 401
    created = api.create("+14155550142", "call")
    assert created.status_code == 201, created.text
    code = api.code_sent_to("+14155550142", timeout=60)
    checked = api.check(created.json()["id"], code)
    assert checked.status_code == 200 and checked.json()["status"] == "approved"
    assert "verification.tasks.deliver" in log_text(process)  # placed by the Celery worker, not in the request


def celery_main_pid(supervisor, role):
    """The pid of the stack's Celery `role` (worker or beat): the supervisor's child."""
    found = subprocess.run(["pgrep", "-P", str(supervisor), "-a"], capture_output=True, text=True).stdout.splitlines()
    pids = [int(line.split()[0]) for line in found if f"celery -A otpsite {role}" in line]
    return pids[0] if pids else None


def _parent(pid):
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def test_a_worker_that_dies_is_started_again_and_the_site_stays_up(served):
    """A Celery worker killed (or crashing: kombu's restore after a Redis blink did) is
    started again by `make serve`; the web server is not stopped with it."""
    url, env, process = served
    first = celery_main_pid(process.pid, "worker")
    assert first is not None
    os.kill(first, signal.SIGKILL)
    http = session()
    deadline = time.monotonic() + 30
    while celery_main_pid(process.pid, "worker") in (None, first):
        assert http.get(f"{url}/healthz", timeout=10).status_code == 200  # the site answers meanwhile
        assert time.monotonic() < deadline, log_text(process)[-3000:]
        time.sleep(0.2)
    assert process.poll() is None
    assert "serve: worker exited with -9; starting it again in 1 s." in log_text(process)
    session_of_stack = subprocess.run(["pgrep", "-s", str(process.pid), "-a"], capture_output=True, text=True).stdout
    workers = [int(line.split()[0]) for line in session_of_stack.splitlines() if "celery -A otpsite worker" in line]
    new_main = celery_main_pid(process.pid, "worker")
    assert all(pid == new_main or _parent(pid) == new_main for pid in workers)  # the killed one's pool ended too
    credentials = (SANDBOX_AUTH_ID, sandbox_auth_token(env["DJANGO_SECRET_KEY"]))
    api = SiteClient(url, create_api_key(env, name="after-restart"), sandbox_auth=credentials)
    created = api.create("+14155550143", "call")
    assert created.status_code == 201, created.text
    code = api.code_sent_to("+14155550143", timeout=60)  # placed by the worker started again
    assert api.check(created.json()["id"], code).json()["status"] == "approved"


def test_the_schedule_file_of_beat_stays_out_of_the_repository(served):
    _, _, process = served
    assert "beat: Starting" in log_text(process)
    tracked_or_not = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert "celerybeat-schedule" not in tracked_or_not


def test_sigterm_stops_the_whole_stack(served):
    """SIGTERM to `make serve` (or Ctrl-C) ends gunicorn, the worker and beat together, cleanly.

    Runs last: it stops the module's stack."""
    _, _, process = served
    group = str(process.pid)  # the stack's session: the supervisor and everything it started
    running = subprocess.run(["pgrep", "-s", group], capture_output=True, text=True).stdout.split()
    assert len(running) >= 5  # the supervisor, gunicorn's master and 2 workers, celery's worker and beat
    assert stop(process, group=False) == 0
    assert subprocess.run(["pgrep", "-s", group], capture_output=True).returncode == 1  # nothing left behind
