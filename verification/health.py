"""The dependencies a request needs (database, Redis, broker): are they up, and
which one an exception says is down.

`/readyz` reports each; the middleware and the API's error handler turn an
exception from a dependency that is down into a 503 instead of a 500.
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from celery import current_app
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)

OK = "ok"
NOT_CONFIGURED = "not configured"
UNAVAILABLE = "unavailable"
CHECK_TIMEOUT_SECONDS = 2


def dependency_of(exc):
    """The dependency that `exc` says cannot be reached ('redis', 'broker', 'database'), or None."""
    if isinstance(exc, ServiceUnavailable):
        return exc.dependency or "service"
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return "redis"
    if isinstance(exc, BrokerError):
        return "broker"
    if isinstance(exc, OperationalError | InterfaceError):
        return "database"
    return None


# How long a write that must not be lost is tried again when the database connection
# fails under it: a dropped connection, a PostgreSQL restart.
DATABASE_RETRY_WAITS_SECONDS = (0.2, 0.5, 1, 2, 4, 8)


def through_database_blips(write, *, what):
    """`write()`, again on a new connection each time the database connection fails, for
    about 15 s; any other error, or one inside a transaction, is raised at once. For a
    background write that knows something nobody else does (what the carrier said; a
    claim to give back); `what` names it in the log."""
    for wait in (*DATABASE_RETRY_WAITS_SECONDS, None):
        try:
            return write()
        except Exception as exc:
            if wait is None or dependency_of(exc) != "database" or connection.in_atomic_block:
                raise
            logger.warning("%s: the database connection failed (%s); again in %ss", what, exc, wait)
            connection.close()  # the broken one: the next statement opens another
            time.sleep(wait)


def unavailable(exc):
    """The ServiceUnavailable that stands for `exc`, or None if `exc` is no dependency's fault."""
    if isinstance(exc, ServiceUnavailable):
        return exc
    dependency = dependency_of(exc)
    if dependency is None:
        return None
    return ServiceUnavailable(dependency=dependency)


def broker_configured(app=None):
    """False in eager mode (no broker, development): tasks run in the process."""
    return not (app or current_app).conf.task_always_eager


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return UNAVAILABLE
    return OK


def check_redis():
    """The default cache's Redis (django-redis), whatever the site calls its URL: a site that
    installs the app has no REDIS_URL of ours, and a cache that is not Redis is none to check."""
    try:
        from django_redis import get_redis_connection

        client = get_redis_connection("default")
    except (ImportError, NotImplementedError):  # the cache is not django-redis (make run: a local cache)
        return NOT_CONFIGURED
    try:
        client.ping()
    except (RedisConnectionError, RedisTimeoutError):
        return UNAVAILABLE
    return OK


def check_broker(app=None):
    """`app`: the Celery app (default: this thread's current one)."""
    app = app or current_app
    if not broker_configured(app):
        return NOT_CONFIGURED
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT_SECONDS)
    except (BrokerError, OSError):
        _broker.remember(False)
        return UNAVAILABLE
    except BaseException:
        _broker.remember(False)  # never left "asking": the next request asks again
        raise
    _broker.remember(True)
    return OK


class _BrokerState:
    """The broker's last known state in this process, so that a create asks it at most
    once a second (a connection costs about as much as the create itself), and, once it
    did not answer, once every DOWN_SECONDS, by one request at a time: a broker that stops
    answering holds one thread for its timeout, not every thread that has a create (they
    were all held 2 s at once, and /healthz queued behind them)."""

    MAX_AGE_SECONDS = 1.0
    DOWN_SECONDS = 5.0  # the 503's Retry-After

    def __init__(self):
        self.lock = threading.Lock()
        self.ok, self.checked_at, self.asked_at = True, float("-inf"), None

    def remember(self, ok):
        with self.lock:
            self.ok, self.checked_at, self.asked_at = ok, time.monotonic(), None

    def fresh(self):
        """The known state, or None: then this caller asks the broker (and must `remember`)."""
        with self.lock:
            now = time.monotonic()
            if now - self.checked_at < (self.MAX_AGE_SECONDS if self.ok else self.DOWN_SECONDS):
                return self.ok
            if self.asked_at is not None and now - self.asked_at < 2 * CHECK_TIMEOUT_SECONDS:
                return self.ok  # another request is asking just now: what was known meanwhile
            self.asked_at = now
            return None


_broker = _BrokerState()


def broker_failed():
    """A task could not be sent just now: refuse new work until the broker answers again."""
    _broker.remember(False)


_checkers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readiness")


def readiness():
    """Each dependency's state: 'ok', 'not configured' or 'unavailable'.

    Redis and the broker are asked at the same time, beside the database (in this thread,
    on its connection): one that does not answer costs its 2 s timeout once, not one after
    the other."""
    app = current_app._get_current_object()  # the site's, which another thread may not see as current
    redis_state, broker_state = _checkers.submit(check_redis), _checkers.submit(check_broker, app)
    return {"database": check_database(), "redis": redis_state.result(), "broker": broker_state.result()}


def require_broker():
    """Refuse (503) before anything is written when tasks cannot be handed to a worker."""
    if not broker_configured():
        return
    ok = _broker.fresh()
    if ok is None:
        ok = check_broker() == OK
    if not ok:
        raise ServiceUnavailable("The task queue cannot be reached. Try again in a moment.", dependency="broker")
