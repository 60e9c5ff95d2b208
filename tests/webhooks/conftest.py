"""A webhook receiver on 127.0.0.1 that records what it is sent and answers as told."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.helpers import wait_for


class Receiver:
    def __init__(self):
        self.requests = []  # (headers, body text), once answered
        self.arrived = []  # the webhook-id of every POST as soon as it comes in
        self.statuses = []  # answers to give, in order; then 200
        self.hold = threading.Event()
        self.hold.set()  # cleared: the receiver keeps the sender waiting
        self.lock = threading.Lock()

    def events(self, event_type=None):
        with self.lock:
            found = [(headers, json.loads(body)) for headers, body in self.requests]
        return [(h, b) for h, b in found if event_type is None or b["type"] == event_type]

    def wait_for(self, event_type, count=1, timeout=20):
        return wait_for(lambda: len(self.events(event_type)) >= count, timeout=timeout, message=f"{count} {event_type}")


@pytest.fixture
def receiver(settings):
    settings.VERIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # the receiver is on 127.0.0.1
    settings.VERIFICATION_WEBHOOK_RETRY_BACKOFF_SECONDS = 0.05
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            state.arrived.append(self.headers.get("webhook-id"))
            state.hold.wait(20)
            with state.lock:
                state.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    state.hold.set()
    server.shutdown()
    server.server_close()
