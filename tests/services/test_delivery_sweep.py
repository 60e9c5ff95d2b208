"""Deliveries a lost task left behind are swept up by the periodic task."""

import datetime as dt

import pytest

from verification import services
from verification.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def verification():
    return services.verification_create(phone_number="+14155550123", channel="call")


def test_a_delivery_queued_too_long_is_handed_to_a_worker_again(verification, clock, monkeypatch):
    sent = []
    monkeypatch.setattr("verification.tasks.deliver.delay", lambda delivery_id: sent.append(delivery_id))
    clock.advance(60)
    assert services.delivery_sweep() == (0, 0)
    clock.advance(10 * 60)
    assert services.delivery_sweep() == (1, 0)
    assert sent == [str(verification.deliveries.get().id)]
    assert services.delivery_sweep() == (0, 0)  # not again at once


def test_a_delivery_left_sending_by_a_lost_worker_fails_and_fails_the_verification(verification, clock):
    Delivery.objects.filter(verification=verification).update(status="sending", updated_at=clock() - dt.timedelta(minutes=6))
    assert services.delivery_sweep() == (0, 1)
    verification.refresh_from_db()
    assert verification.deliveries.get().status == "failed"
    assert verification.status == "failed"


def test_a_read_timeout_counts_as_sent_and_is_never_retried(verification, monkeypatch):
    from verification.carriers import CarrierOutcomeUnknown

    def timed_out(self, request):
        raise CarrierOutcomeUnknown("no answer in time")

    monkeypatch.setattr("verification.carriers.plivo_rest.PlivoRestCarrier.place_call", timed_out)
    delivery = services.delivery_dispatch(delivery_id=verification.deliveries.get().id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.tries) == ("sent", 1)
    assert services.delivery_dispatch(delivery_id=delivery.id).tries == 1
