"""Each process keeps the API key rows it read; a key changed in any process is refused in
every other at its next request, and a process that cannot hear the changes keeps nothing."""

import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from rest_framework_api_key.models import APIKey

from tests.api.conftest import client_for
from tests.processes import ROOT, PrivateRedis, database_url_of_tests
from verification.api.authentication import cache_key
from verification.api.key_rows import ProcessRows
from verification.api.key_rows import rows as process_rows


def read(client):
    return client.get(f"/api/v1/verifications/{uuid.uuid4()}")


def in_another_process(code):
    """`code` run by `manage.py shell` in a process of its own, on the suite's database and Redis."""
    env = {**os.environ, "DATABASE_URL": database_url_of_tests()}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def wait_for(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.django_db(transaction=True)
def test_a_key_revoked_in_another_process_is_refused_here_at_the_next_request(django_assert_num_queries):
    api_key, secret = APIKey.objects.create_key(name="acme")
    client = client_for(secret)
    assert read(client).status_code == 404  # authenticated; the verification is not there
    wait_for(lambda: process_rows.listening)
    assert read(client).status_code == 404
    assert process_rows.get(cache_key(api_key.prefix)).pk == api_key.pk  # kept in this process

    in_another_process(f"from rest_framework_api_key.models import APIKey; k = APIKey.objects.get(pk={api_key.pk!r}); k.revoked = True; k.save()")  # fmt: skip

    response = read(client)
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == "Invalid, revoked or expired API key."


@pytest.mark.django_db(transaction=True)
def test_a_key_deleted_in_another_process_is_refused_here_at_the_next_request():
    api_key, secret = APIKey.objects.create_key(name="acme")
    client = client_for(secret)
    wait_for(lambda: process_rows.listening)
    assert read(client).status_code == 404
    assert read(client).status_code == 404
    in_another_process(f"from rest_framework_api_key.models import APIKey; APIKey.objects.get(pk={api_key.pk!r}).delete()")
    assert read(client).status_code == 401


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def listening_rows(private_redis):
    """Rows of a process subscribed to a private Redis of their own."""
    rows = ProcessRows(redis=lambda: redis.Redis.from_url(private_redis.url, socket_connect_timeout=0.5))
    assert rows.get("k") is None  # starts listening
    wait_for(lambda: rows.listening)
    yield rows
    rows.stop()


def test_a_row_read_before_a_change_is_not_kept_after_it(listening_rows, private_redis):
    rows = listening_rows
    before = rows.generation  # a request begins its read
    redis.Redis.from_url(private_redis.url).publish("otp:api-key:changed", "k")  # the key changes meanwhile
    wait_for(lambda: rows.generation != before)
    rows.put("k", APIKey(name="as it was"), before)
    assert rows.get("k") is None  # the row read before the change is not kept
    rows.put("k", APIKey(name="as it is"), rows.generation)
    assert rows.get("k").name == "as it is"


def test_each_request_gets_its_own_copy_of_a_kept_row(listening_rows):
    rows = listening_rows
    rows.put("k", APIKey(name="acme"), rows.generation)
    rows.get("k").name = "changed by one request"
    assert rows.get("k").name == "acme"


def test_a_process_that_cannot_hear_the_changes_keeps_nothing_and_starts_empty_when_it_can(
    listening_rows, private_redis
):
    rows = listening_rows
    rows.put("k", APIKey(name="acme"), rows.generation)
    assert rows.get("k") is not None

    private_redis.stop()  # a change published now would not be heard
    wait_for(lambda: not rows.listening)
    assert rows.get("k") is None
    rows.put("k", APIKey(name="acme"), rows.generation)
    assert rows.get("k") is None  # nothing is kept while deaf

    private_redis.start()  # subscribed again: what was kept before may be stale, so nothing is
    wait_for(lambda: rows.listening)
    assert rows.get("k") is None
    rows.put("k", APIKey(name="acme"), rows.generation)
    assert rows.get("k").name == "acme"


def test_without_a_redis_cache_nothing_is_kept():
    rows = ProcessRows(redis=lambda: None)
    rows.put("k", APIKey(name="acme"), rows.generation)
    assert rows.get("k") is None
    assert not rows.listening
