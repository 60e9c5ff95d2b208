"""API keys are looked up by prefix and cached for a minute; a revocation takes effect at once."""

import time
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from tests.api.conftest import client_for
from verification import services
from verification.api.authentication import cache_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def key():
    return APIKey.objects.create_key(name="acme")


def read(client, verification_id=None):
    return client.get(f"/api/v1/verifications/{verification_id or uuid.uuid4()}")


def test_a_key_is_read_from_the_database_once_then_from_the_cache(key, django_assert_num_queries):
    api_key, secret = key
    client = client_for(secret)
    assert read(client).status_code == 404  # authenticated: the verification is not there
    with django_assert_num_queries(1):  # the verification only, not the key
        assert read(client).status_code == 404
    assert cache.get(cache_key(api_key.prefix)).pk == api_key.pk


def test_a_revoked_key_is_refused_at_the_next_request(key):
    api_key, secret = key
    client = client_for(secret)
    assert read(client).status_code == 404
    api_key.revoked = True
    api_key.save()  # as the admin revokes it
    response = read(client)
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == "Invalid, revoked or expired API key."


def test_a_row_cached_while_the_revocation_commits_is_dropped_once_it_commits(key, django_capture_on_commit_callbacks):
    api_key, secret = key
    client = client_for(secret)
    before = APIKey.objects.get(pk=api_key.pk)
    with django_capture_on_commit_callbacks(execute=True):
        api_key.revoked = True
        api_key.save()
        cache.set(cache_key(api_key.prefix), before)  # a request that read the row before the commit
    assert read(client).status_code == 401


def test_a_deleted_key_is_refused_at_the_next_request(key):
    api_key, secret = key
    client = client_for(secret)
    assert read(client).status_code == 404
    api_key.delete()
    assert read(client).status_code == 401


def test_a_key_that_expires_is_refused_though_its_row_is_cached(key):
    api_key, secret = key
    api_key.expiry_date = timezone.now() + timedelta(seconds=1)
    api_key.save()
    client = client_for(secret)
    assert read(client).status_code == 404
    assert read(client).status_code == 404  # its row cached, in Redis and in this process
    time.sleep(max(0.0, (api_key.expiry_date - timezone.now()).total_seconds()) + 0.05)
    assert read(client).status_code == 401


def test_the_whole_key_is_compared_even_when_its_row_is_cached(key):
    api_key, secret = key
    assert read(client_for(secret)).status_code == 404
    prefix, _, rest = secret.partition(".")
    forged = f"{prefix}.{'x' * len(rest)}"
    assert read(client_for(forged)).status_code == 401


def test_without_redis_keys_are_still_read_from_the_database(key, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
    api_key, secret = key
    verification = services.verification_create(phone_number="+14155550123", channel="call", api_key=api_key)
    assert read(client_for(secret), verification.id).status_code == 200  # a read needs only the database
