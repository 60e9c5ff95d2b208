"""A fix for kombu's Redis transport that a Celery app of a site calls once (otpsite/celery.py).

kombu 5.7's Redis `QoS.ack` removes the message from its unacked index in Redis and only
then lets go of the prefetch slot. When Redis stops answering at that moment (frozen,
failing over) the removal times out, the worker logs "Couldn't ack ..., reason:
network:TimeoutError", and the slot is never given back: with a prefetch of 2, two such
acks and the worker takes nothing more from the queue, alive and answering pings, so no
supervisor restarts it, while every delivery, the sweeper's included, waits behind it.

Patched, the slot is given back whatever Redis answered. The message then stays in the
unacked index and comes back after the visibility timeout; our tasks are idempotent (a
delivery is claimed once, by compare-and-set), so a second run sends nothing.
"""

from kombu.transport import redis as kombu_redis
from kombu.transport import virtual


def _ack(self, delivery_tag):
    try:
        self._remove_from_indices(delivery_tag).execute()
    finally:
        virtual.QoS.ack(self, delivery_tag)


def _reject(self, delivery_tag, requeue=False):
    try:
        if requeue:
            self.restore_by_tag(delivery_tag, leftmost=True)
        else:
            self._remove_from_indices(delivery_tag).execute()
    finally:
        virtual.QoS.ack(self, delivery_tag)


def release_prefetch_slot_on_failed_ack():
    """Patch kombu's Redis QoS (idempotent)."""
    kombu_redis.QoS.ack = _ack
    kombu_redis.QoS.reject = _reject
