"""Faults on purpose: real Celery worker processes killed, Redis stopped, database
connections cut, while a batch of verifications goes out through the sandbox."""

import contextlib
import os
import signal
import time
from collections import Counter

import pytest
from django_redis import get_redis_connection

from otpsite.celery import app as celery_app
from tests.processes import database_url_of_tests, log_text, start, stop, worker_command
from verification import health, services
from verification.contrib.sandbox import simulator
from verification.contrib.sandbox.models import InboxEntry
from verification.models import Delivery

BATCH = 50


@pytest.fixture
def fault_site(live_site, settings, transactional_db):
    """The live site with tasks on the Redis broker and a sweeper that acts within seconds."""
    settings.VERIFICATION_SWEEP_QUEUED_AFTER_SECONDS = 2
    settings.VERIFICATION_SWEEP_SENDING_AFTER_SECONDS = 5
    settings.VERIFICATION_FRAUD_GUARD = False  # a batch nobody confirms is what the guard stops; not the point here
    get_redis_connection("default")
    celery_app.connection_for_write().default_channel.client.flushdb()
    celery_app.conf.task_always_eager = False
    yield live_site
    celery_app.conf.task_always_eager = True
    simulator.wait_until_idle(timeout=30)


@pytest.fixture
def workers(fault_site, tmp_path):
    """Start `celery worker` processes on the test database; all are stopped at the end."""
    started = []

    def start_worker(*, broker_url=None, database_url=None, **settings_env):
        env = {
            **os.environ,
            **settings_env,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url or database_url_of_tests(),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PUBLIC_BASE_URL": fault_site.url,
        }
        if broker_url:
            env["CELERY_BROKER_URL"] = broker_url
        process = start(worker_command(), env, tmp_path / f"worker-{len(started)}.log")
        started.append(process)
        return process

    yield start_worker
    for process in started:
        stop(process)


@contextlib.contextmanager
def broker_at(url):
    """This process sends its tasks to `url` (the pools of connections to the old one are dropped)."""

    def switch(broker_url, write_url):
        celery_app.conf.broker_url, celery_app.conf.broker_write_url = broker_url, write_url
        celery_app._after_fork()  # forget pooled connections and producers, as a forked worker does
        health.check_broker()

    before = celery_app.conf.broker_url, celery_app.conf.broker_write_url
    switch(url, url)
    try:
        yield
    finally:
        switch(*before)


def kill_hard(process):
    """kill -9: no warm shutdown, no acknowledgement, whatever it was doing."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def create_batch(numbers, channel="call"):
    """Create a verification for each number; the ones refused (a 503) are None."""
    created = []
    for number in numbers:
        try:
            created.append(services.verification_create(phone_number=number, channel=channel))
        except Exception as exc:  # noqa: BLE001 - a refusal is part of what the test counts
            from verification.health import unavailable

            assert unavailable(exc) is not None, exc  # only "try again" is an acceptable refusal
            created.append(None)
    return created


def settle(verifications, *, timeout=120, worker=None):
    """Sweep as beat would until every delivery of `verifications` has ended."""
    ids = [v.pk for v in verifications if v is not None]
    deadline = time.monotonic() + timeout
    while True:
        services.delivery_sweep()
        open_ones = Delivery.objects.filter(verification_id__in=ids).exclude(
            status__in=["completed", "delivered", "no_answer", "busy", "undelivered", "failed"]
        )
        if not open_ones.exists() and Delivery.objects.filter(verification_id__in=ids).count() >= len(ids):
            return
        if time.monotonic() > deadline:
            states = Counter(open_ones.values_list("status", flat=True))
            raise AssertionError(f"deliveries still open: {dict(states)}\n{log_text(worker)[-3000:] if worker else ''}")
        time.sleep(0.3)


def tally(numbers, verifications):
    """created / delivered / failed / lost / duplicate, as `make soak` prints them."""
    simulator.wait_until_idle(timeout=30)
    made = [v for v in verifications if v is not None]
    statuses = Counter(Delivery.objects.filter(verification__in=made).values_list("status", flat=True))
    calls = Counter(InboxEntry.objects.filter(to_number__in=numbers).values_list("to_number", flat=True))
    return {
        "created": len(made),
        "delivered": statuses["completed"] + statuses["delivered"],
        "failed": sum(statuses[s] for s in ("failed", "no_answer", "busy", "undelivered")),
        "lost": sum(statuses[s] for s in ("queued", "sending", "sent", "ringing", "answered")),
        "duplicate": sum(count - 1 for count in calls.values() if count > 1),
    }
