"""The delivery path through a separate `celery worker` process, as in production."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from otpsite.celery import app as celery_app
from tests.helpers import inbox, wait_for
from verification import services
from verification.contrib.sandbox import simulator
from verification.models import Delivery, DeliveryStatus

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_process(live_site, settings):
    """`celery -A otpsite worker` on the test database, the Redis broker and the live site."""
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}",  # the test database
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PUBLIC_BASE_URL": live_site.url,
    }
    celery_app.connection_for_write().default_channel.client.flushdb()
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "otpsite", "worker", "--pool=solo", "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield process
    finally:
        celery_app.conf.task_always_eager = True
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_call_goes_out_through_a_separate_worker_process(worker_process, live_site):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    wait_for(
        lambda: Delivery.objects.get(verification=verification).status == DeliveryStatus.COMPLETED,
        timeout=60,
        message="the worker process to place the call",
    )
    simulator.wait_until_idle(timeout=15)
    [call] = inbox(live_site, "+14155550123")
    assert "verification code is" in call["text"]
    assert worker_process.poll() is None  # still running: it did the work
