"""Calls and SMS carried in background threads, as Plivo carries them after answering the API.
Tests, which run the live server in this process, wait for them with `wait_until_idle()`."""

import logging
import threading
import time

import requests
from django.db import connection, transaction
from django.utils import timezone

from . import calls
from .callbacks import new_session, plivo_number, post_signed
from .models import EntryStatus, InboxEntry
from .wire import Outcome

logger = logging.getLogger(__name__)

# Plivo's "Network Error": the carrier could not hand the SMS over.
UNDELIVERED_ERROR_CODE = "20"

_threads = set()
_threads_lock = threading.Lock()


def place_call(entry, urls):
    """Carry the call recorded in `entry` in the background, once it is committed."""
    transaction.on_commit(lambda: run_in_background(_carry_call, entry.pk, urls))


def send_sms(entry, status_url):
    """Deliver the SMS recorded in `entry` in the background, once it is committed."""
    transaction.on_commit(lambda: run_in_background(_deliver_sms, entry.pk, status_url))


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
    entry = InboxEntry.objects.get(pk=entry_id)
    outcome = Outcome.for_number(entry.to_number)
    with new_session() as session:
        call = calls.SimulatedCall(entry, urls, session)
        if outcome is not Outcome.BUSY:
            call.notify(urls.ring_url, CallStatus="ringing", Event="Ring")
        if outcome is Outcome.NO_ANSWER:
            ending = calls.NO_ANSWER
        elif outcome is Outcome.BUSY:
            ending = calls.BUSY
        else:
            ending = call.answer()
        call.hang_up(ending)
    logger.info("Sandbox: call %s ended: %s.", entry.pk, ending.status)


def _deliver_sms(entry_id, status_url):
    entry = InboxEntry.objects.get(pk=entry_id)
    params = {
        "MessageUUID": str(entry.pk),
        "To": plivo_number(entry.to_number),
        "From": plivo_number(entry.from_number),
    }
    if Outcome.for_number(entry.to_number) is Outcome.NO_ANSWER:
        entry.status = EntryStatus.UNDELIVERED
        params.update(Status="undelivered", ErrorCode=UNDELIVERED_ERROR_CODE)
    else:
        entry.status = EntryStatus.DELIVERED
        params.update(Status="delivered")
    entry.ended_at = timezone.now()
    entry.save(update_fields=["status", "ended_at"])
    if status_url:
        with new_session() as session:
            try:
                post_signed(session, status_url, params)
            except requests.RequestException as exc:
                logger.warning("Sandbox: SMS %s status callback failed: %s", entry.pk, type(exc).__name__)
    logger.info("Sandbox: SMS %s %s.", entry.pk, entry.status)
