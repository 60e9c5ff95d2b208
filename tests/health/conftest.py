"""Dependencies taken away for real: Redis and the broker pointed at a port nobody listens on."""

import pytest
from rest_framework_api_key.models import APIKey

from otpsite.celery import app as celery_app
from tests.api.conftest import client_for
from tests.processes import free_port
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
