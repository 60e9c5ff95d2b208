"""Deliveries whose outcome never came back are finished from the carrier's records
(the SDK's call and message GET, answered by the sandbox as Plivo answers them)."""

import pytest

from verification import services
from verification.contrib.sandbox import simulator
from verification.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)

CALL_WINDOW = 60 + 60 + 120  # RECONCILE_AFTER + ring time + CALL_TIME_LIMIT
SMS_WINDOW = 60


def delivery_of(verification):
    return Delivery.objects.get(verification=verification)


def lose_the_last_callback(verification, status):
    """As if the carrier's final callback had hit us while we were down (a 500)."""
    simulator.wait_until_idle(timeout=15)
    Delivery.objects.filter(verification=verification).update(
        status=status, hangup_cause_code="", hangup_cause_name="", hangup_source=""
    )


def test_a_call_whose_hangup_callback_was_lost_is_finished_from_the_call_record(live_site, clock):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    lose_the_last_callback(verification, "answered")
    clock.advance(CALL_WINDOW - 5)
    services.delivery_sweep()
    assert delivery_of(verification).status == "answered"  # not yet: it may still be talking
    clock.advance(10)
    services.delivery_sweep()
    delivery = delivery_of(verification)
    assert delivery.status == "completed"  # the code was read: the record says answered
    assert (delivery.hangup_cause_code, delivery.hangup_cause_name) == ("4000", "Normal Hangup")  # our <Hangup/>


def test_an_sms_whose_status_callback_was_lost_is_finished_from_the_message_record(live_site, clock):
    verification = services.verification_create(phone_number="+14155550123", channel="sms")
    lose_the_last_callback(verification, "sent")
    clock.advance(SMS_WINDOW + 1)
    services.delivery_sweep()
    assert delivery_of(verification).status == "delivered"


def test_a_carrier_that_accepts_and_then_stays_silent_fails_the_delivery_and_the_workflow_moves_on(live_site, clock):
    """Sandbox numbers ending in 93: accepted, never placed, never reported."""
    verification = services.verification_create(phone_number="+14155550193", channel="auto")
    simulator.wait_until_idle(timeout=15)
    assert delivery_of(verification).status == "sent"
    clock.advance(SMS_WINDOW + 1)
    services.delivery_sweep()
    assert delivery_of(verification).status == "sent"  # the carrier still has it queued
    clock.advance(SMS_WINDOW)
    services.delivery_sweep()
    sms, call = verification.deliveries.order_by("created_at")
    assert sms.status == "failed" and "no outcome" in sms.error
    assert call.channel == "call"  # the fallback, at once


def test_a_call_that_read_the_code_out_and_then_went_silent_is_completed_and_the_code_still_approves(live_site, clock):
    """The carrier lost the call's ending, not its code: Plivo had fetched the code (we
    marked it read out), so failing the delivery would refuse the code the person heard."""
    from tests.helpers import code_of

    verification = services.verification_create(phone_number="+14155550193", channel="call")  # never reported
    simulator.wait_until_idle(timeout=15)
    Delivery.objects.filter(verification=verification).update(status="answered", code_spoken_at=clock())
    clock.advance(2 * CALL_WINDOW + 1)
    services.delivery_sweep()
    delivery = delivery_of(verification)
    assert delivery.status == "completed" and "after the code was read out" in delivery.error
    verification.refresh_from_db()
    assert verification.status == "pending"
    assert services.verification_check(verification_id=verification.id, code=code_of(verification)).valid


def test_a_delivery_sent_without_an_answer_from_the_carrier_fails_after_the_window(clock):
    verification = services.verification_create(phone_number="+14155550123", channel="sms")
    Delivery.objects.filter(verification=verification).update(status="sent", provider_id="")  # a read timeout
    clock.advance(SMS_WINDOW + 1)
    services.delivery_sweep()
    verification.refresh_from_db()
    assert delivery_of(verification).status == "failed"
    assert verification.status == "failed"
