"""A worker's PostgreSQL connection dropped in the middle of a delivery: what it knows
(the carrier was not asked yet; the carrier took it) is written on a new connection,
so the delivery goes out once and is never failed as if its worker had died."""

import threading

import psycopg
import pytest
from django.db import connection

from tests.helpers import inbox
from tests.processes import database_url_of_tests
from verification import health, services
from verification.models import Delivery

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_site")]

SENDING_AFTER = 60  # VERIFICATION_SWEEP_SENDING_AFTER_SECONDS


@pytest.fixture
def queued(monkeypatch):
    """An SMS verification whose delivery waits in the queue (its task not run)."""
    monkeypatch.setattr("verification.tasks.deliver.delay", lambda delivery_id: None)
    verification = services.verification_create(phone_number="+14155550181", channel="sms")
    return verification.deliveries.get()


def drop_this_connection():
    """PostgreSQL ends this process's connection, as a restart or a proxy's timeout does."""
    pid = connection.connection.info.backend_pid
    dsn = database_url_of_tests().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_dropped_right_after_the_claim_puts_the_delivery_back_and_it_goes_out_once(queued, live_site):
    claimed = []

    def drop_after_the_claim(execute, sql, params, many, context):
        if claimed == [] and sql.lstrip().upper().startswith("SELECT") and Delivery._meta.db_table in sql:
            claimed.append(sql)
            drop_this_connection()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_after_the_claim), pytest.raises(Exception) as dropped:
        services.delivery_dispatch(delivery_id=queued.id)
    assert claimed and health.dependency_of(dropped.value) == "database"  # the task retries it
    queued.refresh_from_db()
    assert (queued.status, queued.tries) == ("queued", 0)  # given back: the carrier was not asked

    sent = services.delivery_dispatch(delivery_id=queued.id)  # the task's retry
    assert (sent.status, sent.tries) == ("sent", 1) and sent.provider_id
    assert len(inbox(live_site, "+14155550181")) == 1


def test_a_connection_dropped_after_the_carrier_took_the_sms_still_records_it_as_sent(queued, live_site, monkeypatch, clock):
    from verification.carriers.plivo_rest import PlivoRestCarrier

    real_send = PlivoRestCarrier.send_sms

    def send_then_drop(self, request):
        message_uuid = real_send(self, request)
        drop_this_connection()  # before the worker writes what the carrier said
        return message_uuid

    monkeypatch.setattr(PlivoRestCarrier, "send_sms", send_then_drop)
    delivery = services.delivery_dispatch(delivery_id=queued.id)
    assert delivery.status in ("sent", "delivered") and delivery.provider_id
    assert len(inbox(live_site, "+14155550181")) == 1
    clock.advance(SENDING_AFTER + 1)
    services.delivery_sweep()  # nothing for the sweeper: this worker did not die
    delivery.refresh_from_db()
    assert delivery.status in ("sent", "delivered") and delivery.tries == 1
    assert delivery.verification.status == "pending"
    assert len(inbox(live_site, "+14155550181")) == 1


def test_the_sandbox_carries_an_sms_through_its_own_connection_dropping(live_site, monkeypatch):
    """The sandbox keeps its records in the site's database, as Plivo does not: a dropped
    connection under it must not lose the message it was carrying, or its report."""
    from verification.contrib.sandbox.models import InboxEntry
    from verification.contrib.sandbox.simulator import wait_until_idle

    real_save, dropped = InboxEntry.save, []

    def save_after_a_drop(self, *args, **kwargs):
        if not dropped and threading.current_thread().name.startswith("sandbox-"):  # its first progress write
            dropped.append(self.pk)
            drop_this_connection()
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(InboxEntry, "save", save_after_a_drop)
    verification = services.verification_create(phone_number="+14155550182", channel="sms")
    assert wait_until_idle(timeout=30)
    assert dropped
    delivery = verification.deliveries.get()
    assert delivery.status == "delivered"
    assert [entry["status"] for entry in inbox(live_site, "+14155550182")] == ["delivered"]
