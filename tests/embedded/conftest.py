"""The embedded default as `make run` serves it: SQLite, no Redis, eager tasks, the
sandbox, Django's threaded development server, in a process of its own."""

import contextlib
import sys

import pytest

from tests.processes import (
    SiteClient,
    create_api_key,
    free_port,
    log_text,
    manage,
    site_env,
    start,
    stop,
    wait_until_up,
)


@contextlib.contextmanager
def serving_embedded(home, **settings):
    """`make run` on its own SQLite file in `home`, with `settings` in its environment;
    gives (url, environment, process)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = site_env(
        DJANGO_SETTINGS_MODULE="otpsite.settings",
        DJANGO_DEBUG="1",  # as the .env that `make run` writes
        DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}",
        RATELIMIT_CACHE_DIR=home / "ratelimit",
        PUBLIC_BASE_URL=url,
        **settings,
    )
    manage(env, "migrate", "--noinput")
    process = start(
        [sys.executable, "manage.py", "run_embedded", "--noreload", f"127.0.0.1:{port}"], env, home / "server.log"
    )  # as `make run`
    try:
        wait_until_up(process, f"{url}/healthz")
        yield url, env, process
    finally:
        stop(process)


@pytest.fixture(scope="module")
def embedded_site(tmp_path_factory):
    """The site on its own SQLite file; yields (url, environment, process)."""
    with serving_embedded(tmp_path_factory.mktemp("embedded")) as site:
        yield site


@pytest.fixture(scope="module")
def embedded_api(embedded_site):
    url, env, _ = embedded_site
    return SiteClient(url, create_api_key(env))


@pytest.fixture
def server_log(embedded_site):
    """What the server logged during the test."""
    _, _, process = embedded_site
    start_at = len(log_text(process))
    return lambda: log_text(process)[start_at:]
