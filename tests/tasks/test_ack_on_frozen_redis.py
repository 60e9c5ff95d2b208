"""An ack that meets a Redis that stopped answering gives its prefetch slot back: the worker
goes on taking tasks once Redis answers again (kombu kept the slot: two such acks and a
worker with a prefetch of 2 took nothing more, alive, pinging, never restarted)."""

import os
import signal

import kombu
import pytest
from redis.exceptions import TimeoutError as RedisTimeoutError

import otpsite.celery  # noqa: F401  (the app applies verification.brokers' fix, as a worker does)
from tests.processes import PrivateRedis


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path).start()
    yield server
    os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


def test_acks_that_time_out_leave_the_consumer_consuming(private_redis):
    with kombu.Connection(private_redis.url, transport_options={"socket_timeout": 1, "socket_connect_timeout": 1}) as connection:
        queue = connection.SimpleQueue("deliveries")
        queue.channel.basic_qos(0, 2, False)  # a worker's prefetch of 2
        for n in range(3):
            queue.put({"delivery": n})
        taken = [queue.get(timeout=5), queue.get(timeout=5)]
        qos = queue.channel.qos
        assert not qos.can_consume()  # both slots in use
        os.kill(private_redis.process.pid, signal.SIGSTOP)
        for message in taken:
            with pytest.raises(RedisTimeoutError):
                message.ack()  # the worker logs "Couldn't ack ..." and goes on
        os.kill(private_redis.process.pid, signal.SIGCONT)
        assert qos.can_consume()
        assert queue.get(timeout=5).payload == {"delivery": 2}
