"""The hot paths in one process: CPU per request, and where it goes.

Each path's requests go through Django's WSGI handler (the real middleware stack, the
bench's settings: DEBUG off, persistent connections, Redis) as gunicorn hands them on,
on the bench's database; prints the CPU this process and its PostgreSQL backend spent
per request, and with BENCH_PROFILE=<path> that path's profile: pyinstrument's tree
(in requirements-dev.txt), or BENCH_PROFILER=cprofile (cProfile, wall time) or
BENCH_PROFILER=cpu (cProfile by this process's CPU time).

    .venv/bin/python -m bench.profile                    # every path, 300 requests each
    BENCH_PROFILE=check_right .venv/bin/python -m bench.profile

Environment: as bench/http.py (BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_BROKER_URL),
BENCH_REQUESTS (300), BENCH_PATHS.
"""

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import http

PORT = 18100


def environ_for(line, auth):
    """A WSGI environ for one line of a request file (bench/http.py's format)."""
    method, path, body, *headers = line.rstrip("\n").split("\t")
    path, _, query = path.partition("?")
    raw = body.encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(PORT),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": f"127.0.0.1:{PORT}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(raw)),
    }
    for header in [auth, *headers]:
        name, _, value = header.partition(":")
        key = name.strip().upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value.strip()
        else:
            environ[f"HTTP_{key}"] = value.strip()
    return environ


def backend_ticks():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return http._ticks(pid)


def run(handler, lines, auth):
    statuses = {}

    def start_response(status, headers, exc_info=None):
        statuses[status[:3]] = statuses.get(status[:3], 0) + 1

    for line in lines:
        for _ in handler(environ_for(line, auth), start_response):
            pass
    return statuses


class Profiler:
    """pyinstrument's tree, or with BENCH_PROFILER=cprofile the functions by own time
    (wall time: waits on PostgreSQL and Redis included), BENCH_PROFILER=cpu the same by
    this process's CPU time (what a busy server runs out of)."""

    def __init__(self):
        self.kind = os.environ.get("BENCH_PROFILER", "pyinstrument")
        if self.kind in ("cprofile", "cpu"):
            import cProfile

            self.profiler = cProfile.Profile(time.process_time) if self.kind == "cpu" else cProfile.Profile()
        else:
            try:
                from pyinstrument import Profiler as Pyinstrument
            except ImportError:
                raise SystemExit(
                    "pyinstrument is not installed (.venv/bin/pip install pyinstrument), or use BENCH_PROFILER=cpu"
                ) from None

            self.profiler = Pyinstrument(interval=0.0005)

    def start(self):
        (self.profiler.start if self.kind == "pyinstrument" else self.profiler.enable)()

    def stop(self):
        (self.profiler.stop if self.kind == "pyinstrument" else self.profiler.disable)()

    def print(self):
        if self.kind != "pyinstrument":
            import pstats

            stats = pstats.Stats(self.profiler).strip_dirs()
            stats.sort_stats("tottime").print_stats(45)
            stats.sort_stats("cumulative").print_stats(70)
        else:
            print(self.profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("BENCH_SHOW_ALL"))))


def main():
    count = int(http.setting("BENCH_REQUESTS", "300"))
    names = [n for n in http.setting("BENCH_PATHS", ",".join(http.PATHS)).split(",") if n]
    profiled = os.environ.get("BENCH_PROFILE", "")
    directory = Path(tempfile.mkdtemp(prefix="otpsite-profile-"))
    env = http.server_env(PORT, directory / "static")
    (directory / "static").mkdir()
    os.environ.update(env)
    http.prepare_database(env)

    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from rest_framework_api_key.models import APIKey

    http.empty_tables()
    http.flush_redis(env)
    api_key, key = APIKey.objects.create_key(name="bench")
    auth = f"Authorization: Api-Key {key}"
    pools = http.Pools(directory, api_key, env["PUBLIC_BASE_URL"])
    pools.standing_pools()
    handler = WSGIHandler()
    get_lines = Path(pools.build("get", 0, 0)).read_text().splitlines()
    files = {name: pools.build(name, count, 0) for name in names}
    http.analyze_tables()
    run(handler, get_lines[:50], auth)  # warm: imports, the cached key, the connection
    print(f"{'path':<14} {'app ms':>7} {'db ms':>6} {'total':>6}  statuses")
    for name in names:
        lines = Path(files[name]).read_text().splitlines()
        if name in http.REUSABLE:
            lines = (lines * (-(-count // len(lines))))[:count]
        lines = lines[:count]
        profiler = None
        if name == profiled:
            profiler = Profiler()
            profiler.start()
        db_before, app_before = backend_ticks(), time.process_time()
        statuses = run(handler, lines, auth)
        app = (time.process_time() - app_before) * 1000 / len(lines)
        db = (backend_ticks() - db_before) * 1000 / http.TICK / len(lines)
        if profiler:
            profiler.stop()
        print(f"{name:<14} {app:7.2f} {db:6.2f} {app + db:6.2f}  {json.dumps(statuses)}", flush=True)
        if profiler:
            profiler.print()
    http.flush_redis(env)


if __name__ == "__main__":
    main()
