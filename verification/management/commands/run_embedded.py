"""`make run`: Django's development server (static files and autoreload as `runserver`),
with a listen queue that holds a crowd.

runserver listens with a queue of 10 connections. Its one accepting thread shares the
GIL with every request's, so 50 people at once overflow that queue and the kernel
resets the next connections: the browser shows "connection reset", no log line says
why. This one queues `LISTEN_QUEUE` connections (the kernel caps it at
`net.core.somaxconn`), and they wait their turn instead.

With no broker (eager tasks) it also runs the site's Celery beat schedule in a thread of
the server's process, Celery's own embedded beat: without it nothing would expire unread
(no `verification.expired` webhook), no failed webhook would be sent again and nothing
would be purged, since `make run` starts no beat of its own.
"""

from celery import beat, current_app
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.core.servers.basehttp import WSGIServer

LISTEN_QUEUE = 1024


class QueuedWSGIServer(WSGIServer):
    request_queue_size = LISTEN_QUEUE


class Command(RunserverCommand):
    help = "The development server of the embedded default (`make run`): runserver, with a listen queue of 1024."
    server_cls = QueuedWSGIServer

    def inner_run(self, *args, **options):
        # In the process that serves (the autoreloader's child), once.
        app = current_app._get_current_object()  # the site's Celery app
        if app.conf.task_always_eager and app.conf.beat_schedule:
            # An in-memory schedule: every task runs at start, then at its interval, eagerly
            # (in this thread), as a beat and a worker would run it.
            beat.EmbeddedService(app, thread=True, scheduler_cls="celery.beat:Scheduler").start()
        super().inner_run(*args, **options)
