"""Whatever dies — a worker, Redis, a database connection — every delivery ends in a
true state (placed once, or failed with a reason), none is lost and none is doubled."""

import threading
import time

import psycopg
import pytest

from tests.faults.conftest import BATCH, broker_at, create_batch, kill_hard, settle, tally
from tests.helpers import wait_for
from tests.processes import PrivateRedis, database_url_of_tests
from verification import health
from verification.contrib.sandbox.models import InboxEntry

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def numbers(first):
    return [f"+1415556{first + n:04d}" for n in range(BATCH)]  # none ends in 93-99 (failure outcomes)


def placed(to):
    return InboxEntry.objects.filter(to_number__in=to).count()


def test_a_worker_killed_mid_dispatch_three_times_loses_nothing_and_doubles_nothing(workers):
    to = numbers(1000)
    worker = workers()
    verifications = create_batch(to)
    for kill_after in (8, 20, 32):
        wait_for(lambda n=kill_after: placed(to) >= n, timeout=60, message=f"{kill_after} calls placed")
        kill_hard(worker)
        worker = workers()
    settle(verifications, worker=worker)
    result = tally(to, verifications)
    assert result["created"] == BATCH
    assert result["lost"] == 0
    assert result["duplicate"] == 0
    assert result["delivered"] + result["failed"] == BATCH


def test_the_broker_refusing_connections_during_creates_loses_nothing(workers, tmp_path):
    """Redis (as the broker) stops mid-batch: creates are refused (503) or committed and
    delivered once the sweeper can hand them over; none is committed and forgotten."""
    broker = PrivateRedis(tmp_path).start()
    try:
        with broker_at(broker.url):
            to = numbers(2000)
            worker = workers(broker_url=broker.url)
            verifications = create_batch(to[:20])
            assert health.check_broker() == "ok"  # this process believes it up for the next second
            broker.stop()
            during = create_batch(to[20:35])  # the first commits and then fails to enqueue; the rest are refused
            broker.start()
            wait_for(lambda: health.check_broker() == "ok", message="the broker to answer again")
            verifications += during + create_batch(to[35:])
            settle(verifications, worker=worker)
            result = tally(to, verifications)
    finally:
        broker.stop()
    committed_during = [v for v in during if v is not None]
    assert committed_during  # committed while the broker was gone: its task never reached a queue
    assert result["created"] == 35 + len(committed_during)
    assert result["lost"] == 0
    assert result["duplicate"] == 0
    assert result["delivered"] == result["created"]  # the sandbox answers every one of these numbers


def test_database_connections_cut_during_tasks_lose_nothing(workers):
    """The worker's PostgreSQL connections are terminated again and again while it works."""
    url = database_url_of_tests() + "?application_name=otp-fault-worker"
    to = numbers(3000)
    worker = workers(database_url=url)
    stop_cutting = threading.Event()
    cuts = []

    def cut_connections():
        dsn = database_url_of_tests().replace("postgres://", "postgresql://", 1)
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not stop_cutting.is_set():
                rows = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'otp-fault-worker'"
                ).fetchall()
                cuts.extend(row for row in rows if row[0])
                time.sleep(0.01)

    cutter = threading.Thread(target=cut_connections, daemon=True)
    cutter.start()
    try:
        verifications = create_batch(to)
        wait_for(lambda: len(cuts) >= 3, timeout=60, message="the worker's connections cut a few times")
    finally:
        stop_cutting.set()
        cutter.join(10)
    settle(verifications, worker=worker)
    result = tally(to, verifications)
    assert result["created"] == BATCH
    assert result["lost"] == 0
    assert result["duplicate"] == 0
    assert result["delivered"] + result["failed"] == BATCH
