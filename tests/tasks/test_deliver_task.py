"""The delivery task on a real Celery worker (Redis broker): retries, backoff, idempotency."""

import datetime as dt
import itertools

import pytest

from tests.helpers import inbox, wait_for
from verification import services
from verification.contrib.sandbox import simulator
from verification.models import Delivery, DeliveryStatus
from verification.tasks import deliver, retry_countdown

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def delivery_of(verification):
    return Delivery.objects.get(verification=verification)


def test_a_call_goes_out_through_the_worker(celery_worker, live_site):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    wait_for(lambda: delivery_of(verification).status == DeliveryStatus.COMPLETED, message="the call to complete")
    simulator.wait_until_idle(timeout=15)
    assert len(inbox(live_site, "+14155550123")) == 1


def test_a_server_error_is_retried_with_backoff_until_the_cap_then_fails(celery_worker, live_site, settings):
    settings.VERIFICATION_DELIVERY_MAX_RETRIES = 3
    verification = services.verification_create(phone_number="+14155550196", channel="call")
    wait_for(lambda: delivery_of(verification).status == DeliveryStatus.FAILED, message="retries to run out")
    delivery = delivery_of(verification)
    verification.refresh_from_db()
    assert delivery.tries == 4
    assert "Retries spent" in delivery.error
    assert verification.status == "failed"


def test_an_api_rejection_is_not_retried(celery_worker, live_site):
    verification = services.verification_create(phone_number="+14155550197", channel="call")
    wait_for(lambda: delivery_of(verification).status == DeliveryStatus.FAILED, message="the rejection")
    assert delivery_of(verification).tries == 1


def test_a_redelivered_task_never_places_a_second_call(celery_worker, live_site):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    wait_for(lambda: delivery_of(verification).status == DeliveryStatus.COMPLETED, message="the first call")
    delivery_id = str(delivery_of(verification).id)
    deliver.delay(delivery_id)
    deliver.delay(delivery_id)
    # A marker task queued after the duplicates: once it ran, so did they (one solo worker, FIFO).
    marker = services.verification_create(phone_number="+14155550124", channel="call")
    wait_for(lambda: delivery_of(marker).status == DeliveryStatus.COMPLETED, message="the marker call")
    simulator.wait_until_idle(timeout=15)
    assert len(inbox(live_site, "+14155550123")) == 1
    assert delivery_of(verification).tries == 1


def test_the_backoff_doubles_up_to_its_cap(settings):
    settings.VERIFICATION_DELIVERY_RETRY_BACKOFF_SECONDS = 2
    settings.VERIFICATION_DELIVERY_RETRY_BACKOFF_MAX_SECONDS = 30
    assert [retry_countdown(n) for n in range(6)] == [2, 4, 8, 16, 30, 30]


def test_calls_are_paced_to_the_carriers_rate_across_the_worker(celery_worker, live_site, settings):
    from verification.contrib.sandbox.models import InboxEntry

    settings.VERIFICATION_CARRIER_CALLS_PER_SECOND = 1
    numbers = ["+14155550131", "+14155550132", "+14155550133"]
    verifications = [services.verification_create(phone_number=n, channel="call") for n in numbers]
    for verification in verifications:
        wait_for(lambda v=verification: delivery_of(v).status == DeliveryStatus.COMPLETED, message="every call")
    simulator.wait_until_idle(timeout=15)
    placed = sorted(InboxEntry.objects.filter(channel="call").values_list("created_at", flat=True))
    assert len(placed) == 3
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(placed)]
    assert all(gap >= 0.9 for gap in gaps), gaps  # never two calls inside one second
    assert all(delivery_of(v).tries == 1 for v in verifications)  # waiting is not a failed try


def test_a_backlog_of_calls_waits_in_line_once_each_and_never_crowds_a_second(celery_worker, live_site, settings):
    """Each call takes a pacing slot once (at most one re-queue, whatever the backlog), and
    no one-second window at the carrier ever holds more calls than the rate."""
    from celery.signals import task_prerun

    from verification.contrib.sandbox.models import InboxEntry

    settings.VERIFICATION_CARRIER_CALLS_PER_SECOND = 4
    runs = []

    def count(sender=None, kwargs=None, args=None, **_):
        if sender is deliver:
            runs.append((args or [None])[0] or (kwargs or {}).get("delivery_id"))

    task_prerun.connect(count, weak=False)
    try:
        numbers = [f"+1415555{n:04d}" for n in range(1200, 1212)]
        verifications = [services.verification_create(phone_number=n, channel="call") for n in numbers]
        for verification in verifications:
            wait_for(lambda v=verification: delivery_of(v).status == DeliveryStatus.COMPLETED, message="every call")
    finally:
        task_prerun.disconnect(count)
    simulator.wait_until_idle(timeout=15)
    arrivals = sorted(InboxEntry.objects.filter(channel="call").values_list("created_at", flat=True))
    assert len(arrivals) == len(numbers)
    busiest = max(sum(1 for t in arrivals if start <= t < start + dt.timedelta(seconds=1)) for start in arrivals)
    assert busiest <= 4
    per_delivery = {str(delivery_of(v).id): runs.count(str(delivery_of(v).id)) for v in verifications}
    assert max(per_delivery.values()) <= 2, per_delivery  # the first try, and at most one at its slot
