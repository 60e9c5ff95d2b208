"""Deliveries: start them, hand them to the carrier once, follow their status,
and move a channel's workflow on (SMS, then a call) or fail the verification."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from .. import clock, health, ratelimit
from ..carriers import (
    CarrierError,
    CarrierOutcomeUnknown,
    CarrierRejected,
    CarrierUnavailable,
    get_carrier,
)
from ..carriers.base import CallRequest, Lookup, SmsRequest
from ..codes import decrypt_code
from ..conf import app_settings
from ..exceptions import Throttled
from ..models import (
    DELIVERY_FAILED,
    DELIVERY_FINAL,
    DELIVERY_PROGRESS,
    Channel,
    Delivery,
    DeliveryStatus,
    Status,
    VerificationAttempt,
)
from ..phones import is_fixed_line
from . import statements
from .audit import CARRIER, SYSTEM, audit
from .transitions import delivery_move, verification_end

logger = logging.getLogger(__name__)

# Which deliveries a channel's workflow allows, in order.
WORKFLOWS = {
    Channel.CALL: [Channel.CALL],
    Channel.SMS: [Channel.SMS],
    Channel.AUTO: [Channel.SMS, Channel.CALL],
}


def workflow_steps(verification):
    """The deliveries a verification's workflow allows: never an SMS to a fixed line."""
    steps = WORKFLOWS[verification.channel]
    if len(steps) > 1 and is_fixed_line(verification.phone_number):
        return [step for step in steps if step != Channel.SMS]
    return steps


def public_url(name, delivery):
    return app_settings.public_base_url + reverse(name, kwargs={"delivery_id": delivery.id})


def delivery_start(verification, channel, *, actor=SYSTEM, now):
    """Make a delivery and hand it to a worker once the transaction commits."""

    delivery = statements.insert(Delivery(
        verification=verification,
        channel=channel,
        carrier=app_settings.CARRIER,
        created_at=now,
        updated_at=now,
        due_at=now,
    ))  # fmt: skip
    audit(verification, "delivery_queued", actor=actor, now=now, delivery=delivery, channel=channel)
    # After the commit, so a worker never sees it half-written. If the broker fails just
    # then, the delivery stays `queued` and the sweeper hands it over within seconds.
    transaction.on_commit(lambda: enqueue_delivery(delivery.id))
    if verification.channel == Channel.AUTO and channel == Channel.SMS:
        from ..tasks import schedule_fallback

        transaction.on_commit(lambda: schedule_fallback(verification.id), robust=True)  # the sweeper backs it up
    return delivery


def enqueue_delivery(delivery_id):
    """Hand a delivery to a worker; a broker that fails is remembered, never an error page."""
    from ..tasks import deliver

    try:
        deliver.delay(str(delivery_id))
    except Exception as exc:
        if health.dependency_of(exc) is None:
            raise
        health.broker_failed()
        logger.warning("Delivery %s not enqueued (%s); the sweeper will hand it over.", delivery_id, exc)
        return False
    return True


def delivery_dispatch(*, delivery_id, slot_reserved=False):
    """Ask the carrier for the delivery, at most once: a second run does nothing.

    Returns the delivery; raises Throttled when a call must wait for its pacing
    slot (`slot_reserved` on the run at that slot), and CarrierUnavailable (after
    putting the delivery back in the queue) when the carrier should be asked
    again later.
    """
    now = clock.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING, tries=F("tries") + 1, updated_at=now
    )
    try:
        delivery = Delivery.objects.select_related("verification").get(pk=delivery_id)
    except Exception as exc:
        if claimed and health.dependency_of(exc) == "database":
            _unclaim(delivery_id)  # claimed, then the connection went: the carrier was not asked
        raise
    if not claimed:
        return delivery  # another run has it, or had it: never a second call
    verification = delivery.verification
    code = decrypt_code(verification.code_encrypted)
    if not verification.is_pending or verification.is_expired(now) or code is None:
        _finish(delivery, DeliveryStatus.FAILED, error="The verification ended before the delivery went out.")
        return delivery
    try:
        carrier = get_carrier()
        if delivery.channel == Channel.CALL:
            # Paced here, right before the request, so the rate holds where the carrier counts it.
            _pace_call(delivery_id, slot_reserved=slot_reserved)
            provider_id = carrier.place_call(
                CallRequest(
                    to=str(verification.phone_number),
                    answer_url=public_url("plivo-voice-answer", delivery),
                    hangup_url=public_url("plivo-voice-hangup", delivery),
                    code=code,
                )
            )
        else:
            from ..messages import sms_text

            provider_id = carrier.send_sms(
                SmsRequest(
                    to=str(verification.phone_number),
                    text=sms_text(verification, code),
                    status_url=public_url("plivo-sms-status", delivery),
                    code=code,
                )
            )
    except Throttled:
        raise
    except CarrierRejected as exc:
        _finish(delivery, DeliveryStatus.FAILED, error=str(exc))
        return delivery
    except CarrierOutcomeUnknown as exc:
        # Count it as sent: its callbacks, if it went out, will tell the rest.
        error = str(exc)
        return health.through_database_blips(lambda: _sent(delivery_id, error=error), what=f"Delivery {delivery_id}")
    except CarrierUnavailable as exc:
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.QUEUED, error=str(exc)[:255], updated_at=clock.now()
        )
        raise
    except Exception as exc:
        if health.dependency_of(exc):
            # Redis or the database blinked before the request went out: back in the queue,
            # not a failed try (if even that fails, the sweeper settles it).
            _unclaim(delivery_id)
            raise
        # A fault of ours: fail the delivery (the workflow moves on) rather than leave it stuck.
        _finish(delivery, DeliveryStatus.FAILED, error=f"Internal error: {type(exc).__name__}")
        raise
    # The carrier has it: what it said must be written, through a dropped connection too,
    # or the sweeper would take a delivery that went out for one a dead worker left.
    return health.through_database_blips(
        lambda: _sent(delivery_id, provider_id=provider_id), what=f"Delivery {delivery_id}"
    )


def _unclaim(delivery_id):
    """Back in the queue, not a failed try: the carrier was not asked."""
    health.through_database_blips(
        lambda: Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.QUEUED, tries=F("tries") - 1, updated_at=clock.now()
        ),
        what=f"Delivery {delivery_id}",
    )


def _sent(delivery_id, *, provider_id="", error=""):
    """The carrier took the request: the delivery is sent (unless its callbacks got there first)."""
    now = clock.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("verification").get(pk=delivery_id)
        if provider_id and not delivery.provider_id:
            delivery.provider_id = provider_id[:64]
            delivery.save(update_fields=["provider_id"])
        if delivery.status == DeliveryStatus.SENDING:
            delivery.error = error[:255]
            delivery_move(
                delivery, DeliveryStatus.SENT, event="delivery_sent", now=now, also=["error"], channel=delivery.channel
            )
    return delivery


# Calls leave at most CARRIER_CALLS_PER_SECOND in any second, measured where the
# carrier sees them: slots are spaced a little wider than 1/rate, so the time from
# our check to the carrier's arrival (a few ms) can never squeeze in one more.
PACE_MARGIN_SECONDS = 0.1
PACE_CHECK_WINDOW_SECONDS = 1.05


def pace_rule():
    return ratelimit.Rule(
        "carrier-calls",
        app_settings.auth_id or "default",
        limit=app_settings.CARRIER_CALLS_PER_SECOND,
        window=PACE_CHECK_WINDOW_SECONDS,
        detail="The carrier's outbound call rate is used up for this second.",
        code="carrier_pace",
    )


def _pace_call(delivery_id, *, slot_reserved):
    """Keep to the carrier's outbound call rate, shared by every worker.

    A call takes the next free slot once and waits for it (one re-queue, at any
    backlog); at its slot the sliding window has the last word, in case the task
    ran late and would crowd the next one. Waiting puts the claimed delivery back
    in the queue, due at its slot (not a failed try), and raises Throttled.
    """
    rate = app_settings.CARRIER_CALLS_PER_SECOND
    if rate <= 0:
        return
    now = clock.now()
    subject, interval = app_settings.auth_id or "default", (1 + PACE_MARGIN_SECONDS) / rate
    wait = 0 if slot_reserved else ratelimit.reserve_slot("carrier-calls", subject, interval=interval, now=now.timestamp())
    if not wait:
        try:
            ratelimit.hit([pace_rule()], now=now.timestamp())
            return
        except Throttled:
            wait = max(ratelimit.reserve_slot("carrier-calls", subject, interval=interval, now=now.timestamp()), 0.05)
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.QUEUED, tries=F("tries") - 1, due_at=now + timedelta(seconds=wait + 1), updated_at=now
    )
    raise Throttled("Waiting for the carrier's pace.", retry_after=wait, code="carrier_pace", wait_seconds=wait)


def delivery_retry_later(*, delivery_id, countdown):
    """The carrier was unavailable: the delivery is due again after its backoff."""
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED).update(
        due_at=clock.now() + timedelta(seconds=countdown)
    )


def delivery_sweep(*, now=None):
    """Deliveries and timers a lost task left behind; runs every few seconds (Celery beat).

    A delivery still `queued` well past its due time lost its task (a killed
    worker, the broker down after the commit): it is handed to a worker again.
    `sending` for a minute means a worker died mid-request; the carrier may
    have taken it, so it is failed (the workflow moves on) rather than sent
    twice. An `auto` verification whose fallback timer was lost gets its call.
    Returns (requeued, failed).
    """
    now = now or clock.now()
    queued_after = timedelta(seconds=app_settings.SWEEP_QUEUED_AFTER_SECONDS)
    waiting = list(
        Delivery.objects.filter(
            status=DeliveryStatus.QUEUED, due_at__lt=now - queued_after, verification__status=Status.PENDING
        ).values_list("pk", flat=True)[:500]
    )
    requeued = 0
    for pk in waiting:
        # Due again later, so the next sweep does not hand it over a second time at once.
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.QUEUED).update(due_at=now)
        requeued += enqueue_delivery(pk)
    sending_after = timedelta(seconds=app_settings.SWEEP_SENDING_AFTER_SECONDS)
    stuck = Delivery.objects.filter(status=DeliveryStatus.SENDING, updated_at__lt=now - sending_after)[:500]
    failed = 0
    for delivery in stuck:
        _finish(delivery, DeliveryStatus.FAILED, error="The worker was lost while asking the carrier.")
        failed += 1
    _sweep_lost_fallbacks(now, queued_after)
    delivery_reconcile(now=now)
    return requeued, failed


# A call's callbacks are overdue after its ring time and its time limit, and this margin.
CALL_RING_SECONDS = 60


def delivery_reconcile(*, now=None, limit=100):
    """Deliveries whose outcome never came back (a callback lost while we were down, a
    carrier that went silent): finished from the carrier's own records.

    Looked up once RECONCILE_AFTER_SECONDS have passed since the last word (for a
    call, after its ring time and time limit too). A delivery `sent` without the
    carrier's id (the request got no answer) cannot be looked up: it is failed, so
    the workflow moves on. Returns how many were finished.
    """
    now = now or clock.now()
    after = timedelta(seconds=app_settings.RECONCILE_AFTER_SECONDS)
    call_after = after + timedelta(seconds=CALL_RING_SECONDS + app_settings.CALL_TIME_LIMIT_SECONDS)
    if app_settings.PLIVO_API != "rest":
        return 0  # a PHLO run reports nothing per delivery, and cannot be looked up
    overdue = Delivery.objects.filter(
        status__in=[DeliveryStatus.SENT, DeliveryStatus.RINGING, DeliveryStatus.ANSWERED],
        created_at__gt=now - timedelta(days=1),
    ).filter(
        Q(channel=Channel.SMS, updated_at__lt=now - after) | Q(channel=Channel.CALL, updated_at__lt=now - call_after)
    )[:limit]
    overdue = list(overdue)
    if not overdue:
        return 0
    carrier, finished = get_carrier(), 0
    for delivery in overdue:
        if not delivery.provider_id:
            _finish(delivery, DeliveryStatus.FAILED, error="The carrier never answered and no callback came.")
            finished += 1
            continue
        try:
            lookup = (carrier.lookup_call if delivery.channel == Channel.CALL else carrier.lookup_message)(
                delivery.provider_id
            )
        except CarrierError:
            continue  # the carrier is unavailable: the next sweep asks again
        if lookup.status is None:
            window = call_after if delivery.channel == Channel.CALL else after
            if delivery.updated_at >= now - 2 * window:
                continue  # still queued at the carrier, ringing or talking
            # Accepted, then nothing for twice as long as it could take: the carrier lost it.
            lookup = Lookup(status=DeliveryStatus.FAILED, error="The carrier took it and reported no outcome.")
            if delivery.code_spoken_at is not None:
                # But we read the code out on that call (Plivo fetched it): it reached the
                # person, whose code must still be taken. Only its ending went unreported.
                lookup = Lookup(
                    status=DeliveryStatus.COMPLETED,
                    error="The carrier reported no outcome after the code was read out.",
                )
        delivery_record_status(
            delivery_id=delivery.pk,
            status=lookup.status,
            hangup_cause_code=lookup.hangup_cause_code,
            hangup_cause_name=lookup.hangup_cause_name,
            hangup_source=lookup.hangup_source,
            duration=lookup.duration,
            error=lookup.error,
        )
        finished += 1
    return finished


def _sweep_lost_fallbacks(now, grace):
    """`auto` verifications past their fallback time with no call: the timer task was lost."""
    overdue = now - timedelta(seconds=app_settings.FALLBACK_AFTER_SECONDS) - grace
    lost = (
        VerificationAttempt.objects.filter(
            status=Status.PENDING, channel=Channel.AUTO, created_at__lt=overdue, expires_at__gt=now
        )
        .exclude(deliveries__channel=Channel.CALL)
        .values_list("pk", flat=True)[:500]
    )
    for pk in list(lost):
        workflow_advance(verification_id=pk, reason="fallback_timer")


def delivery_tries(*, delivery_id):
    return Delivery.objects.filter(pk=delivery_id).values_list("tries", flat=True).first() or 0


def delivery_give_up(*, delivery_id, error):
    """The carrier stayed unavailable through every retry: the delivery failed."""
    delivery = Delivery.objects.select_related("verification").get(pk=delivery_id)
    if delivery.status in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING):
        _finish(delivery, DeliveryStatus.FAILED, error=f"Retries spent. {error}")
    return delivery


def delivery_code_spoken(*, delivery_id):
    """The call reached the person: they hear the code now (or typed one, in keypad mode).

    True only the first time, and only while the call is live (not ended): the code
    is read once per call, and a replayed or late request for it gets nothing.
    """
    spoken = statements.delivery_mark_code_spoken(delivery_id, now=clock.now(), final_statuses=DELIVERY_FINAL)
    return bool(spoken)


def delivery_record_status(
    *,
    delivery_id,
    status,
    provider_id="",
    hangup_cause="",
    hangup_cause_code="",
    hangup_cause_name="",
    hangup_source="",
    duration=None,
    error="",
):
    """A carrier callback: move the delivery forward (never back) and drive the workflow,
    under one row lock, in one transaction."""
    with transaction.atomic():
        delivery = statements.delivery_locked(delivery_id)  # select_for_update().select_related("verification")
        if delivery is None:
            raise Delivery.DoesNotExist(f"No delivery {delivery_id}.")
        if status == DeliveryStatus.COMPLETED and delivery.channel == Channel.CALL and delivery.code_spoken_at is None:
            # Answered by a voicemail, or nobody pressed the key: the code never reached a person.
            status = DeliveryStatus.NO_ANSWER
        if delivery.is_final or DELIVERY_PROGRESS[status] <= DELIVERY_PROGRESS[delivery.status]:
            return delivery
        if provider_id and not delivery.provider_id:
            delivery.provider_id = provider_id[:64]
        delivery.hangup_cause = hangup_cause[:64] or delivery.hangup_cause
        delivery.hangup_cause_code = hangup_cause_code[:8] or delivery.hangup_cause_code
        delivery.hangup_cause_name = hangup_cause_name[:64] or delivery.hangup_cause_name
        delivery.hangup_source = hangup_source[:32] or delivery.hangup_source
        if duration is not None:
            delivery.duration_seconds = duration
        delivery.error = error[:255] or delivery.error
        recorded = ["provider_id", "hangup_cause", "hangup_cause_code", "hangup_cause_name", "hangup_source",
                    "duration_seconds"]  # fmt: skip
        _finish_locked(delivery, status, error=error, actor=CARRIER, now=clock.now(), also=recorded)
    return delivery


def _finish(delivery, status, *, error="", actor=SYSTEM):
    """Move a delivery to `status`; if it failed, go on with the workflow."""
    now = clock.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        _finish_locked(delivery, status, error=error, actor=actor, now=now)


def _finish_locked(delivery, status, *, error, actor, now, also=()):
    """`_finish` under the caller's row lock; `also`: other fields the caller changed, saved with it."""
    if error:
        delivery.error = error[:255]
    moved = delivery_move(delivery, status, event="delivery_status", actor=actor, now=now, also=["error", *also])
    if moved.ended and status in DELIVERY_FAILED:  # in the same transaction: nobody sees one without the other
        workflow_advance(verification_id=delivery.verification_id, reason="delivery_failed")


def workflow_advance(*, verification_id, reason):
    """Start the workflow's next delivery, or fail the verification if none is left.

    Runs after a delivery failed, or when the fallback timer fires; safe to run twice.
    """
    now = clock.now()
    with transaction.atomic():
        verification = VerificationAttempt.objects.select_for_update().filter(pk=verification_id).first()
        if verification is None:
            return None
        deliveries = list(verification.deliveries.all())
        tried = {d.channel for d in deliveries}
        in_flight = [d for d in deliveries if d.status not in DELIVERY_FAILED]
        remaining = [step for step in workflow_steps(verification) if step not in tried]
        if reason == "fallback_timer":
            # Recorded either way, so the trail shows why a call was (not) placed.
            ended = not verification.is_pending or verification.is_expired(now)
            outcome = "skipped_ended" if ended else ("skipped_done" if not remaining else f"started_{remaining[0]}")
            audit(verification, "fallback", now=now, outcome=outcome)
            if ended or not remaining:
                return None
            return _start_next(verification, remaining[0], now=now)
        if not verification.is_pending or verification.is_expired(now):
            return None
        if in_flight:
            return None  # another delivery may still get the code through
        if remaining:
            return _start_next(verification, remaining[0], now=now)
        verification_end(verification, Status.FAILED, event="failed", now=now)
    return None


def _start_next(verification, channel, *, now):
    """A delivery the workflow starts by itself (the fallback call, the next channel after a
    failure): a send to the number as a resend is, so it moves `next_resend_at` and counts
    in the number's cooldown and caps once it commits, but is never refused by them (its
    verification was admitted)."""
    from .verifications import send_rules

    verification.last_sent_at = now
    verification.save(update_fields=["last_sent_at"])
    rules = send_rules(str(verification.phone_number), tenant=verification.tenant, country=verification.country)
    transaction.on_commit(lambda: ratelimit.record(rules, now=now.timestamp()), robust=True)
    return delivery_start(verification, channel, now=now)
