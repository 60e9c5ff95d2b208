"""Fixtures over the real services: PostgreSQL, Redis, a Celery worker, the sandbox."""

import datetime as dt

import pytest
from django.utils import timezone
from django_redis import get_redis_connection

from otpsite.celery import app as celery_app


@pytest.fixture(autouse=True)
def _fresh_redis():
    """Rate-limit windows and cache entries from one test never reach the next."""
    get_redis_connection("default").flushdb()
    yield


class MovableClock:
    """The verification rules' clock, moved by tests instead of sleeping."""

    def __init__(self, start):
        self.current = start

    def __call__(self):
        return self.current

    def advance(self, seconds):
        self.current += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    moving = MovableClock(timezone.now())
    monkeypatch.setattr("verification.clock.now", moving)
    return moving


@pytest.fixture
def live_site(live_server, settings):
    """The live server as the site Plivo (the sandbox) talks to."""
    from verification.contrib.sandbox import simulator

    settings.PUBLIC_BASE_URL = live_server.url
    yield live_server
    simulator.wait_until_idle(timeout=15)


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker consuming from Redis, in a thread of this process."""
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    get_redis_connection("default")  # make sure Redis answers before the worker starts
    celery_app.connection_for_write().default_channel.client.flushdb()
    try:
        with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture
def http(live_site):
    """A session on the live site's API, with a fresh key, as an API consumer talks to it."""
    import requests
    from rest_framework_api_key.models import APIKey

    session = requests.Session()
    session.trust_env = False
    session.headers["Authorization"] = f"Api-Key {APIKey.objects.create_key(name='acme')[1]}"
    session.base = f"{live_site.url}/api/v1/verifications"
    return session
