"""What goes over the wire to PostgreSQL: libpq's own trace of a connection's messages.

Django's query log (CaptureQueriesContext) sees only the statements its cursors run; the
trace also sees the transaction's BEGIN and COMMIT and a health check's SELECT 1, each a
round trip of its own.
"""

import contextlib
import io
import sys
import tempfile

from django.core.handlers.wsgi import WSGIHandler
from psycopg import pq


@contextlib.contextmanager
def sent_statements(connection):
    """The statements the connection sends meanwhile, each as its text (a list filled on exit)."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    sent = []
    with tempfile.TemporaryFile() as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield sent
        finally:
            if connection.connection is not None and connection.connection.pgconn is pgconn:
                pgconn.untrace()
            trace.seek(0)
            for line in trace.read().decode().splitlines():
                origin, _, kind, text = line.split("\t", 3)
                text = text.strip()
                if origin == "F" and kind == "Query":  # "<statement>"
                    sent.append(text[1:-1])
                elif origin == "F" and kind == "Parse":  # "<name>" "<statement>" <parameter types>
                    sent.append(text.split('"', 3)[3].rpartition('"')[0])


def serve(method, path, *, body=b"", headers=None):
    """One request through Django's WSGI handler, as gunicorn hands it on (request_started,
    the whole middleware, request_finished): (status code, body)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    statuses = []
    chunks = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(int(status[:3])))
    try:
        content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # request_finished: Django's end-of-request connection handling
    return statuses[0], content
