"""`make run`: Django's development server (static files and autoreload as `runserver`),
with a listen queue that holds a crowd.

runserver listens with a queue of 10 connections. Its one accepting thread shares the
GIL with every request's, so 50 people at once overflow that queue and the kernel
resets the next connections: the browser shows "connection reset", no log line says
why. This one queues `LISTEN_QUEUE` connections (the kernel caps it at
`net.core.somaxconn`), and they wait their turn instead.
"""

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.core.servers.basehttp import WSGIServer

LISTEN_QUEUE = 1024


class QueuedWSGIServer(WSGIServer):
    request_queue_size = LISTEN_QUEUE


class Command(RunserverCommand):
    help = "The development server of the embedded default (`make run`): runserver, with a listen queue of 1024."
    server_cls = QueuedWSGIServer
