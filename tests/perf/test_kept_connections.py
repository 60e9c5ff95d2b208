"""Kept connections (CONN_MAX_AGE) are checked before each request without a SELECT 1, and
one that PostgreSQL ended is replaced before the request needs it."""

import json
import time

import psycopg
import pytest
from django.db import connection
from rest_framework_api_key.models import APIKey

from bench import pools
from tests.perf.wire import sent_statements, serve

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kept_connection():
    """The connection kept between requests, as in production (the suite's default is 0)."""
    before = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 600
    yield connection
    connection.settings_dict["CONN_MAX_AGE"] = before
    connection.close()


@pytest.fixture
def reader(kept_connection):
    api_key, secret = APIKey.objects.create_key(name="acme")
    [(verification, _, _)] = pools.verifications(1, api_key=api_key)  # as a create writes it, no carrier asked

    def read():
        status, body = serve(
            "GET", f"/api/v1/verifications/{verification.id}", headers={"Authorization": f"Api-Key {secret}"}
        )
        return status, json.loads(body)

    return read, verification


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_kept_connection_serves_the_next_request_without_a_select_1(reader):
    read, verification = reader
    assert read()[0] == 200
    pid = backend_pid()
    with sent_statements(connection) as sent:
        status, body = read()
    assert status == 200 and body["id"] == str(verification.id)
    assert len(sent) == 1 and sent[0].startswith("SELECT") and "SELECT 1" not in sent  # the read alone
    assert backend_pid() == pid  # the same connection


def test_a_connection_postgresql_ended_is_replaced_before_the_request_uses_it(reader):
    read, verification = reader
    assert read()[0] == 200
    pid = backend_pid()
    socket = connection.connection.pgconn.socket
    with psycopg.connect(**_params(), autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    _until_readable(socket)  # the server's goodbye has arrived, as it does before a next request
    status, body = read()
    assert status == 200 and body["id"] == str(verification.id)  # no 503, no retry needed
    assert backend_pid() != pid


def _params():
    params = connection.get_connection_params()
    return {name: params[name] for name in ("dbname", "user", "host", "port", "password") if params.get(name)}


def _until_readable(fd, seconds=5):
    import select

    poller = select.poll()
    poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + seconds
    while not poller.poll(50):
        assert time.monotonic() < deadline, "PostgreSQL did not close the connection"


def test_a_wrong_code_is_four_round_trips_in_one_transaction(kept_connection):
    from verification.models import AuditEvent, VerificationAttempt

    api_key, secret = APIKey.objects.create_key(name="acme")
    [(verification, _, code)] = pools.verifications(1, api_key=api_key)
    check = {"Authorization": f"Api-Key {secret}", "Content-Type": "application/json"}
    path = f"/api/v1/verifications/{verification.id}/check"
    wrong = json.dumps({"code": pools.wrong(code)}).encode()
    assert serve("POST", path, body=wrong, headers=check)[0] == 200  # the key cached
    with sent_statements(connection) as sent:
        status, body = serve("POST", path, body=wrong, headers=check)
    assert status == 200 and json.loads(body)["checks_remaining"] == verification.max_checks - 2
    assert [statement.split()[0] for statement in sent] == ["BEGIN", "SELECT", "WITH", "COMMIT"]
    assert sent[1].endswith("FOR UPDATE")  # the guess counted under the row lock
    assert "UPDATE" in sent[2] and "INSERT INTO" in sent[2]  # the guess and its audit line, together
    assert VerificationAttempt.objects.get(pk=verification.pk).failed_checks == 2
    assert AuditEvent.objects.filter(verification_id=verification.pk, event="check", outcome="invalid").count() == 2
