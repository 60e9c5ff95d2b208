"""Channel `auto` on a real Celery worker: SMS first, a call if it is not confirmed in time."""

import pytest

from tests.helpers import inbox, wait_for
from verification import services
from verification.contrib.sandbox import simulator
from verification.exceptions import Throttled
from verification.models import AuditEvent

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def channels_received(live_site, number):
    return sorted(entry["channel"] for entry in inbox(live_site, number))


def sms_code(live_site, number):
    return wait_for(lambda: [e for e in inbox(live_site, number) if e["channel"] == "sms"], message="the SMS")[0][
        "text"
    ].rsplit("#", 1)[1]


def fallback_outcome(verification):
    event = AuditEvent.objects.filter(verification=verification, event="fallback").first()
    return event.outcome if event else None


def test_a_confirmed_sms_places_no_call(celery_worker, live_site, settings):
    settings.VERIFICATION_FALLBACK_AFTER_SECONDS = 1
    verification = services.verification_create(phone_number="+14155550123", channel="auto")
    code = sms_code(live_site, "+14155550123")
    assert services.verification_check(verification_id=verification.id, code=code).valid
    assert wait_for(lambda: fallback_outcome(verification), message="the fallback timer") == "skipped_ended"
    simulator.wait_until_idle(timeout=15)
    assert channels_received(live_site, "+14155550123") == ["sms"]


def test_an_unconfirmed_sms_is_followed_by_a_call(celery_worker, live_site, settings):
    settings.VERIFICATION_FALLBACK_AFTER_SECONDS = 1
    verification = services.verification_create(phone_number="+14155550123", channel="auto")
    assert wait_for(lambda: fallback_outcome(verification), message="the fallback timer") == "started_call"
    wait_for(lambda: channels_received(live_site, "+14155550123") == ["call", "sms"], message="the call")
    simulator.wait_until_idle(timeout=15)
    call = next(e for e in inbox(live_site, "+14155550123") if e["channel"] == "call")
    assert ", ".join(sms_code(live_site, "+14155550123")) in call["text"]  # the same code


def test_an_undelivered_sms_calls_at_once(celery_worker, live_site, settings):
    settings.VERIFICATION_FALLBACK_AFTER_SECONDS = 3600  # only the failure can trigger the call
    verification = services.verification_create(phone_number="+14155550199", channel="auto")
    wait_for(lambda: channels_received(live_site, "+14155550199") == ["call", "sms"], message="the call")
    simulator.wait_until_idle(timeout=15)
    verification.refresh_from_db()
    # 99 answers neither: with every step of the workflow failed, the verification failed.
    assert verification.status == "failed"
    assert list(verification.deliveries.values_list("channel", "status")) == [("sms", "undelivered"), ("call", "no_answer")]


def test_a_fallback_step_that_fires_twice_places_one_call(live_site, settings):
    settings.VERIFICATION_FALLBACK_AFTER_SECONDS = 3600
    verification = services.verification_create(phone_number="+14155550123", channel="auto")
    services.workflow_advance(verification_id=verification.id, reason="fallback_timer")
    services.workflow_advance(verification_id=verification.id, reason="fallback_timer")
    simulator.wait_until_idle(timeout=15)
    assert channels_received(live_site, "+14155550123") == ["call", "sms"]
    assert [e.outcome for e in AuditEvent.objects.filter(verification=verification, event="fallback").order_by("id")] == [
        "started_call",
        "skipped_done",
    ]


def test_a_fixed_line_on_auto_is_called_directly(live_site):
    verification = services.verification_create(phone_number="+442079460000", channel="auto")
    assert list(verification.deliveries.values_list("channel", flat=True)) == ["call"]


def test_the_fallback_call_is_a_send_a_resend_must_wait_after(live_site, settings, clock):
    settings.VERIFICATION_FALLBACK_AFTER_SECONDS = 3600
    verification = services.verification_create(phone_number="+14155550123", channel="auto")
    clock.advance(60)  # the SMS's cooldown is over
    services.workflow_advance(verification_id=verification.id, reason="fallback_timer")
    simulator.wait_until_idle(timeout=15)
    clock.advance(2)
    with pytest.raises(Throttled) as refused:
        services.verification_resend(verification_id=verification.id, channel="call")
    assert (refused.value.code, refused.value.retry_after) == ("resend_cooldown", 28)
    verification.refresh_from_db()
    assert verification.deliveries.count() == 2  # the SMS and the fallback call, no second call
    assert (verification.last_sent_at - verification.created_at).total_seconds() == 60  # next_resend_at moves
