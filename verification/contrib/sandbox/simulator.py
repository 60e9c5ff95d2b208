"""Calls and SMS carried in background threads, as Plivo carries them after answering the API.
Tests, which run the live server in this process, wait for them with `wait_until_idle()`."""

import logging
import threading
import time

from django.db import connection, transaction
from django.utils import timezone

from verification.health import through_database_blips

from . import calls, records
from .callbacks import CallbackFailed, new_session, plivo_number, send
from .models import EntryStatus, InboxEntry
from .wire import Outcome

logger = logging.getLogger(__name__)

_threads = set()
_threads_lock = threading.Lock()


def place_call(entry, urls):
    """Carry the call recorded in `entry` in the background, once it is committed."""
    transaction.on_commit(lambda: run_in_background(_carry_call, entry.pk, urls))


def send_sms(entry, status_url, method="POST"):
    """Deliver the SMS recorded in `entry` in the background, once it is committed."""
    transaction.on_commit(lambda: run_in_background(_deliver_sms, entry.pk, status_url, method))


def run_in_background(target, *args):
    """Run `target` in a daemon thread that `wait_until_idle` waits for."""

    def run():
        try:
            target(*args)
        except Exception:
            logger.exception("Sandbox: %s failed.", target.__name__)
        finally:
            connection.close()  # the thread's own connection: leave none open behind
            with _threads_lock:
                _threads.discard(thread)

    thread = threading.Thread(target=run, name=f"sandbox-{target.__name__.lstrip('_')}", daemon=True)
    with _threads_lock:
        _threads.add(thread)
    thread.start()
    return thread


def wait_until_idle(timeout=10):
    """Wait until every sandbox call and SMS of this process has ended; True if they all did."""
    deadline = time.monotonic() + timeout
    while True:
        with _threads_lock:
            running = list(_threads)
        if not running:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        running[0].join(remaining)


def _carry_call(entry_id, urls):
    entry = _entry(entry_id)
    outcome = Outcome.for_number(entry.to_number)
    with new_session() as session:
        call = calls.SimulatedCall(entry, urls, session, person=calls.Person.for_outcome(outcome))
        if outcome is not Outcome.BUSY:
            call.notify(urls.ring_url, urls.ring_method, CallStatus="ringing", Event="Ring")
        if outcome is Outcome.NO_ANSWER:
            ending = records.NO_ANSWER
        elif outcome is Outcome.BUSY:
            ending = records.BUSY
        else:
            ending = call.answer()
        call.hang_up(ending)
    logger.info("Sandbox: call %s ended: %s (%s).", entry.pk, ending.status, ending.name)


# Each SMS moves through these states, one status callback each, as Plivo reports them.
SMS_STEPS = {
    Outcome.NO_ANSWER: ("queued", "sent", "undelivered"),
    Outcome.BUSY: ("queued", "failed"),  # refused before it reached the carrier
}
DELIVERED_STEPS = ("queued", "sent", "delivered")
FINAL_SMS_STATUS = {
    "delivered": EntryStatus.DELIVERED,
    "undelivered": EntryStatus.UNDELIVERED,
    "failed": EntryStatus.FAILED,
}


def _entry(entry_id):
    """The call's or message's row. The sandbox keeps its records in the site's database
    (Plivo keeps its own), so each of its reads and writes outlives a dropped connection:
    the site's database blinking must not lose a call the carrier was carrying."""
    return through_database_blips(lambda: InboxEntry.objects.get(pk=entry_id), what=f"Sandbox entry {entry_id}")


def _deliver_sms(entry_id, status_url, method):
    entry = _entry(entry_id)
    steps = SMS_STEPS.get(Outcome.for_number(entry.to_number), DELIVERED_STEPS)
    with new_session() as session:
        for sequence, state in enumerate(steps, start=1):
            now = timezone.now()
            if state == "sent":
                entry.sent_at = now
            elif state in FINAL_SMS_STATUS:
                entry.status = FINAL_SMS_STATUS[state]
                entry.ended_at = now
                if state != "delivered":
                    entry.error_code = records.NETWORK_ERROR
            through_database_blips(
                lambda: entry.save(update_fields=["status", "sent_at", "ended_at", "error_code"]),
                what=f"Sandbox SMS {entry.pk}",
            )
            if status_url:
                _report_sms(session, entry, state, sequence, status_url, method)
    logger.info("Sandbox: SMS %s %s.", entry.pk, entry.status)


def _report_sms(session, entry, state, sequence, url, method):
    """Post one status callback, with the fields Plivo's message status callbacks carry."""
    params = {
        "MessageUUID": str(entry.pk),
        "ParentMessageUUID": str(entry.pk),
        "To": plivo_number(entry.to_number),
        "From": plivo_number(entry.from_number),
        "Type": "sms",
        "Status": state,
        "Sequence": str(sequence),
        "Units": str(entry.units),
        "TotalRate": records.money(records.SMS_RATE_PER_UNIT),
        "TotalAmount": records.sms_amount(entry),
        "MCC": records.TEST_MCC,
        "MNC": records.TEST_MNC,
        "MessageTime": records.sms_callback_time(entry.created_at),
        "QueuedTime": records.sms_callback_time(entry.created_at),
        "SentTime": records.sms_callback_time(entry.sent_at),
        "DeliveryReportTime": records.sms_callback_time(entry.ended_at if state in ("delivered", "undelivered") else None),
        "PowerpackUUID": "",
        "requester_ip": entry.requester_ip or "",
    }
    if state in ("failed", "undelivered"):
        params["ErrorCode"] = entry.error_code  # only on a failed or undelivered message
    try:
        send(session, url, params, method)
    except CallbackFailed as exc:
        logger.warning("Sandbox: SMS %s status callback failed (%s).", entry.pk, exc.reason)
