"""Celery tasks: they take ids, re-read the database and call a service.

Deliveries are enqueued with `transaction.on_commit`, so a worker never sees
a delivery whose transaction did not commit.
"""

import logging
import threading

from celery import shared_task
from django.db import connection

from . import health, services
from .carriers import CarrierUnavailable
from .conf import app_settings
from .exceptions import Throttled

logger = logging.getLogger(__name__)


def retry_countdown(retries):
    """Exponential backoff (base, 2x base, 4x base, ...) with a cap."""
    base = app_settings.DELIVERY_RETRY_BACKOFF_SECONDS
    return min(base * (2**retries), app_settings.DELIVERY_RETRY_BACKOFF_MAX_SECONDS)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver(self, delivery_id, slot_reserved=False):
    """Hand one delivery to the carrier; retried with backoff while the carrier, the
    database or Redis is unavailable. Acknowledged only once done, so a worker that
    dies mid-task leaves the message for another (and the sweeper backs that up)."""
    try:
        services.delivery_dispatch(delivery_id=delivery_id, slot_reserved=slot_reserved)
    except Throttled as exc:
        # Waiting for this call's pacing slot (not a failed try).
        if self.request.is_eager:
            run_later(deliver, delivery_id, True, countdown=exc.wait_seconds)  # never sleep in a request
            return None
        raise self.retry(
            exc=exc, countdown=exc.wait_seconds, kwargs={"delivery_id": delivery_id, "slot_reserved": True}
        ) from exc
    except CarrierUnavailable as exc:
        if services.delivery_tries(delivery_id=delivery_id) > app_settings.DELIVERY_MAX_RETRIES:
            logger.warning("Delivery %s failed: retries spent (%s)", delivery_id, exc)
            services.delivery_give_up(delivery_id=delivery_id, error=str(exc))
            return None
        countdown = retry_countdown(services.delivery_tries(delivery_id=delivery_id) - 1)
        services.delivery_retry_later(delivery_id=delivery_id, countdown=countdown)
        logger.info("Delivery %s: carrier unavailable, retry in %ss (%s)", delivery_id, countdown, exc)
        if self.request.is_eager:  # in place, the retries would all run at once, without their backoff
            run_later(deliver, delivery_id, countdown=countdown)
            return None
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception as exc:
        if health.dependency_of(exc) is None:
            raise
        # PostgreSQL restarting, Redis blinking: nothing was claimed, or the sweeper
        # settles a claim left half-way; try again shortly.
        countdown = retry_countdown(min(self.request.retries, 6))
        logger.warning("Delivery %s: %s unavailable, retry in %ss", delivery_id, health.dependency_of(exc), countdown)
        if self.request.is_eager:  # an eager retry would run at once, in place, again and again
            run_later(deliver, delivery_id, slot_reserved, countdown=countdown)
            return None
        raise self.retry(exc=exc, countdown=countdown) from exc
    return None


@shared_task(acks_late=True)
def fallback(verification_id):
    """Channel `auto`: the SMS was not confirmed in time, so call (does nothing if it ended)."""
    services.workflow_advance(verification_id=verification_id, reason="fallback_timer")


def schedule_fallback(verification_id):
    """Run `fallback` after VERIFICATION_FALLBACK_AFTER_SECONDS."""
    run_later(fallback, str(verification_id), countdown=app_settings.FALLBACK_AFTER_SECONDS)


def run_later(task, *args, countdown):
    """Run `task(*args)` in `countdown` seconds.

    With a broker that is a countdown task. Eager mode (no broker, development)
    would run it at once, in the request that asked; there a timer thread waits
    instead, so no request ever sleeps.
    """
    if task.app.conf.task_always_eager:
        timer = threading.Timer(countdown, _run_in_thread, args=[task, args])
        timer.daemon = True
        timer.start()
        return timer
    return task.apply_async(args=list(args), countdown=countdown)


def _run_in_thread(task, args):
    try:
        task.apply(args=list(args))
    finally:
        connection.close()  # the timer thread's own connection


@shared_task
def expire_due():
    """Every minute (Celery beat): expire overdue verifications, forget old idempotency keys."""
    from . import clock
    from .api.idempotency import idempotency_purge

    idempotency_purge(now=clock.now())
    return services.verification_expire_due()


@shared_task
def sweep():
    """Every few seconds (Celery beat): hand lost deliveries, fallback timers and webhooks to a worker again."""
    from .webhooks.sender import webhook_sweep

    for message_id in webhook_sweep():
        enqueue_webhook(message_id)
    return services.delivery_sweep()


@shared_task
def purge():
    """Every hour (Celery beat): what is older than VERIFICATION_RETENTION_DAYS, and expired sessions."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return services.retention_purge()


@shared_task
def warm_dashboard():
    """Every hour (Celery beat): the dashboard's settled days counted before anyone asks."""
    from .selectors import dashboard_warm

    return dashboard_warm()


@shared_task(acks_late=True)
def send_webhook(message_id):
    """Post one webhook message; a non-2xx or a timeout is tried again with backoff."""
    from .webhooks.sender import webhook_send

    wait = webhook_send(message_id=message_id)
    if wait is not None:
        run_later(send_webhook, message_id, countdown=wait)


def enqueue_webhook(message_id):
    """Hand a message to a worker (eager mode: a timer thread, never the request that
    caused the event); a broker that fails leaves it to the sweeper."""
    try:
        run_later(send_webhook, message_id, countdown=0)
    except Exception as exc:
        if health.dependency_of(exc) is None:
            raise
        logger.warning("Webhook %s not enqueued (%s); the sweeper will hand it over.", message_id, exc)
