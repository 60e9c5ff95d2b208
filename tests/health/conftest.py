"""Dependencies taken away for real: Redis and the broker pointed at a port nobody listens on."""

import os
import signal

import pytest
from rest_framework_api_key.models import APIKey

from otpsite.celery import app as celery_app
from tests.api.conftest import client_for
from tests.processes import PrivateRedis, free_port
from verification import health


@pytest.fixture
def api(db):
    return client_for(APIKey.objects.create_key(name="acme")[1])


@pytest.fixture
def redis_down(settings):
    """REDIS_URL (cache and rate limits) at a closed port."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    cache = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1}}
    settings.REDIS_URL = url
    settings.CACHES = {"default": cache, "ratelimit": cache}
    return url


@pytest.fixture
def broker():
    """Tasks go to the Redis broker (not eager), as with CELERY_BROKER_URL set."""
    celery_app.conf.task_always_eager = False
    yield celery_app
    celery_app.conf.task_always_eager = True


@pytest.fixture
def broker_down(broker):
    """CELERY_BROKER_URL at a closed port."""
    url, before = f"redis://127.0.0.1:{free_port()}/0", (broker.conf.broker_url, broker.conf.broker_write_url)
    broker.conf.broker_url = broker.conf.broker_write_url = url
    yield url
    broker.conf.broker_url, broker.conf.broker_write_url = before
    health.check_broker()  # this process learns at once that it is back


@pytest.fixture
def frozen_redis(tmp_path, settings, broker):
    """Redis (cache, rate limits and broker) that takes connections and never answers:
    a redis-server of the test's own, stopped with SIGSTOP (hung, failing over, cut off)."""
    server = PrivateRedis(tmp_path).start()
    cache = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": server.url}
    cache["OPTIONS"] = settings.CACHES["default"].get("OPTIONS", {})
    before = broker.conf.broker_url, broker.conf.broker_write_url
    settings.REDIS_URL = server.url
    settings.CACHES = {"default": cache, "ratelimit": cache}
    broker.conf.broker_url = broker.conf.broker_write_url = server.url
    os.kill(server.process.pid, signal.SIGSTOP)
    yield server
    os.kill(server.process.pid, signal.SIGCONT)
    server.stop()
    broker.conf.broker_url, broker.conf.broker_write_url = before
    health.check_broker()


def answer_of(request, *, within=30):
    """`request()`'s response; fails if none came in `within` seconds (a hang, not a slow
    answer: the bound is many times what the timeouts allow). In this thread, so that it
    sees the test's transaction: SIGALRM interrupts a read that waits for ever."""

    def hung(signum, frame):
        raise AssertionError(f"no answer in {within} s: the request hangs on a dependency that does not answer")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(within)
    try:
        return request()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
