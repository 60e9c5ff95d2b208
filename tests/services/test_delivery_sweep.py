"""Deliveries and timers a lost task left behind are swept up within seconds."""

import datetime as dt

import pytest

from verification import services
from verification.models import Delivery

pytestmark = pytest.mark.django_db

QUEUED_AFTER = 30  # VERIFICATION_SWEEP_QUEUED_AFTER_SECONDS
SENDING_AFTER = 60  # VERIFICATION_SWEEP_SENDING_AFTER_SECONDS


@pytest.fixture
def enqueued(monkeypatch):
    """The deliveries handed to the broker (instead of running them)."""
    sent = []
    monkeypatch.setattr("verification.tasks.deliver.delay", lambda delivery_id: sent.append(delivery_id))
    return sent


@pytest.fixture
def verification(enqueued):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    enqueued.clear()  # its own task: "lost"
    return verification


def test_a_delivery_queued_past_its_due_time_is_handed_to_a_worker_again_within_seconds(verification, clock, enqueued):
    clock.advance(QUEUED_AFTER - 1)
    assert services.delivery_sweep() == (0, 0)
    clock.advance(2)
    assert services.delivery_sweep() == (1, 0)
    assert enqueued == [str(verification.deliveries.get().id)]
    assert services.delivery_sweep() == (0, 0)  # not again at once
    clock.advance(QUEUED_AFTER + 1)
    assert services.delivery_sweep() == (1, 0)  # but again if that task was lost too


def test_a_delivery_waiting_out_a_retrys_backoff_is_left_alone(verification, clock, enqueued):
    delivery = verification.deliveries.get()
    services.delivery_retry_later(delivery_id=delivery.id, countdown=120)
    clock.advance(QUEUED_AFTER + 60)
    assert services.delivery_sweep() == (0, 0)
    clock.advance(120)
    assert services.delivery_sweep() == (1, 0)


def test_a_delivery_of_an_ended_verification_is_not_handed_over(verification, clock, enqueued):
    services.verification_cancel(verification_id=verification.id)
    clock.advance(QUEUED_AFTER + 1)
    assert services.delivery_sweep() == (0, 0)


def test_a_delivery_left_sending_by_a_lost_worker_fails_and_fails_the_verification(verification, clock):
    Delivery.objects.filter(verification=verification).update(
        status="sending", updated_at=clock() - dt.timedelta(seconds=SENDING_AFTER + 1)
    )
    assert services.delivery_sweep() == (0, 1)
    verification.refresh_from_db()
    assert verification.deliveries.get().status == "failed"
    assert verification.status == "failed"


def test_a_lost_fallback_timer_still_gets_the_call(clock, enqueued, settings, monkeypatch):
    """Channel auto: the SMS went out, the timer task was lost; the sweeper places the call."""
    settings.VERIFICATION_FALLBACK_AFTER_SECONDS = 60
    monkeypatch.setattr("verification.tasks.schedule_fallback", lambda verification_id: None)  # lost
    verification = services.verification_create(phone_number="+14155550123", channel="auto")
    Delivery.objects.filter(verification=verification).update(status="delivered")
    clock.advance(60 + QUEUED_AFTER - 1)
    services.delivery_sweep()
    assert [d.channel for d in verification.deliveries.all()] == ["sms"]
    clock.advance(2)
    services.delivery_sweep()
    assert [d.channel for d in verification.deliveries.all()] == ["sms", "call"]
    assert verification.audit_events.filter(event="fallback", outcome="started_call").exists()


def test_a_read_timeout_counts_as_sent_and_is_never_retried(verification, monkeypatch):
    from verification.carriers import CarrierOutcomeUnknown

    def timed_out(self, request):
        raise CarrierOutcomeUnknown("no answer in time")

    monkeypatch.setattr("verification.carriers.plivo_rest.PlivoRestCarrier.place_call", timed_out)
    delivery = services.delivery_dispatch(delivery_id=verification.deliveries.get().id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.tries) == ("sent", 1)
    assert services.delivery_dispatch(delivery_id=delivery.id).tries == 1
