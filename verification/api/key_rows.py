"""API key rows kept in each process, and dropped in every process the moment a key changes.

A request's key used to cost a Redis read (a fifth of a GET's CPU). Each process now keeps
the rows it read for `LOCAL_SECONDS`, but only while it listens on the cache's Redis for
`CHANNEL`: a key saved or deleted anywhere is published there (its cache key, a hash of the
prefix) and every listening process drops its row as the message arrives, as it drops it
at once in the process that made the change. While a process is not subscribed (Redis
unreachable, the subscription not yet confirmed, no django-redis cache at all) it keeps
nothing and reads the shared cache or the database as before; when its subscription comes
back it starts empty, since it may have missed a message meanwhile.

A row read before a change and stored after that change's message arrived would outlive
the change: each process counts the messages it took (`generation`), and a row is stored
only if none arrived since its read began. The rows are shared by the process's threads;
each request gets its own copy.
"""

import copy
import logging
import os
import threading
import time

from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

CHANNEL = "otp:api-key:changed"
LOCAL_SECONDS = 10  # a backstop: a change's message normally drops the row within a millisecond
RETRY_SECONDS = 1


def _redis():
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except (ImportError, NotImplementedError):  # the cache is not django-redis: nothing to listen on
        return None


class ProcessRows:
    """`redis`: a function giving the Redis client to listen on and publish to, or None."""

    def __init__(self, redis=_redis):
        self._redis = redis
        self._rows = {}
        self._generation = 0
        self._listening = False
        self._pid = self._listener = None
        self._start_lock = threading.Lock()
        self._change_lock = threading.Lock()

    @property
    def generation(self):
        return self._generation

    @property
    def listening(self):
        return self._listening and self._pid == os.getpid()

    def get(self, key):
        """A copy of the row kept under `key`, or None (also while not subscribed)."""
        if not self.listening:
            self._start()
            return None
        entry = self._rows.get(key)
        if entry is None or entry[1] < time.monotonic():
            return None
        return copy.copy(entry[0])

    def put(self, key, row, generation):
        """Keep `row` if no change was heard since `generation` was read."""
        with self._change_lock:
            if self.listening and generation == self._generation:
                self._rows[key] = (copy.copy(row), time.monotonic() + LOCAL_SECONDS)

    def drop(self, key):
        with self._change_lock:
            self._generation += 1
            self._rows.pop(key, None)

    def clear(self):
        with self._change_lock:
            self._generation += 1
            self._rows.clear()

    def publish(self, key):
        """Drop `key` here and tell every other process (raises what Redis raises)."""
        self.drop(key)
        client = self._redis()
        if client is not None:
            client.publish(CHANNEL, key)

    def stop(self):
        """Stop listening (its thread ends within a second) and keep nothing."""
        self._pid = self._listener = None
        self._listening = False
        self.clear()

    def _start(self):
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._start_lock:
            if self._pid == pid:
                return
            # A forked child starts a listener of its own: threads do not survive a fork.
            self._pid, self._listening = pid, False
            self.clear()
            if self._redis() is None:
                return
            self._listener = listener = object()
            threading.Thread(target=self._listen, args=(listener,), name="api-key-rows", daemon=True).start()

    def _listen(self, listener):
        while self._listener is listener:
            pubsub = None
            try:
                pubsub = self._redis().pubsub()
                pubsub.subscribe(CHANNEL)
                while self._listener is listener:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self.clear()
                        self._listening = True
                    elif message["type"] == "message":
                        self.drop(message["data"].decode())
            except Exception as exc:  # Redis gone or refusing: keep nothing until subscribed again
                logger.warning("API key rows: not subscribed to %s (%s); keeping none.", CHANNEL, type(exc).__name__)
            finally:
                if self._listener is listener:
                    self._listening = False
                    self.clear()
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass
            if self._listener is listener:
                time.sleep(RETRY_SECONDS)


rows = ProcessRows()


@receiver(setting_changed)
def _listen_again_on_new_caches(setting, **kwargs):
    """CACHES changed (a test's override): the Redis listened on may be another, or none."""
    if setting == "CACHES":
        rows.stop()
