"""`make soak`: a long fault run, outside CI.

A stack of its own — gunicorn (with the sandbox), two Celery workers and beat —
on a private PostgreSQL and a private Redis, takes SOAK_VERIFICATIONS (1000)
verifications over the API while workers are killed with `kill -9` again and
again, Redis is down for 20 s and PostgreSQL restarts. Then it waits for every
delivery to end and prints created / delivered / failed / lost / duplicate.
Exits 1 if anything was lost or doubled.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from tests.processes import (
    PrivateRedis,
    free_port,
    log_text,
    session,
    site_env,
    start,
    stop,
    wait_until_up,
    worker_command,
)

ROOT = Path(__file__).resolve().parents[1]
TOTAL = int(os.environ.get("SOAK_VERIFICATIONS", "1000"))
FINAL = ("completed", "delivered", "no_answer", "busy", "undelivered", "failed")


def say(message):
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


class PrivatePostgres:
    """A PostgreSQL cluster of the soak's own (initdb in a temporary directory), to restart at will."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/soak"
        self.bin = Path(next(Path("/usr/lib/postgresql").glob("*/bin")))

    def _as_postgres(self, *command):
        runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*runner, *command], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")

    def start(self):
        data = self.directory / "data"
        if not data.exists():
            data.mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(self.directory, "postgres")
                shutil.chown(data, "postgres")
            self._as_postgres(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust")
        self._ctl("start", "-w")
        return self

    def _ctl(self, action, *extra):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=200"
        log = self.directory / "postgres.log"
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-o", options, "-l", str(log), action, *extra)

    def restart(self):
        self._ctl("restart", "-m", "fast", "-w")

    def stop(self):
        try:
            self._ctl("stop", "-m", "immediate")
        except RuntimeError:
            pass  # not running

    def create_database(self):
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE soak")


class Stack:
    def __init__(self, home, database, redis):
        self.home = Path(home)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = site_env(
            DJANGO_SETTINGS_MODULE="otpsite.settings",
            DJANGO_DEBUG="1",  # the sandbox carrier answers the calls
            DATABASE_URL=database.url,
            REDIS_URL=redis.url.rsplit("/", 1)[0] + "/0",
            CELERY_BROKER_URL=redis.url.rsplit("/", 1)[0] + "/1",
            CELERY_BEAT_SCHEDULE_FILENAME=self.home / "celerybeat-schedule",
            PUBLIC_BASE_URL=self.url,
            VERIFICATION_CARRIER_CALLS_PER_SECOND="20",
            # Shorter than the defaults so a silent carrier's deliveries settle within the run.
            VERIFICATION_CALL_TIME_LIMIT_SECONDS="30",
            VERIFICATION_RECONCILE_AFTER_SECONDS="30",
            VERIFICATION_MAX_VERIFICATIONS_PER_KEY_PER_HOUR="1000000",
            VERIFICATION_FRAUD_GUARD="0",  # nobody confirms these codes: the guard would rightly stop them
        )
        self.workers = []
        self.kills = 0

    def manage(self, *args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def start(self):
        self.manage("migrate", "--noinput")
        web = [sys.executable, "-m", "gunicorn", "otpsite.wsgi", "--bind", f"127.0.0.1:{self.port}", "--worker-class",
               "gthread", "--workers", "2", "--threads", "8", "--no-control-socket"]  # fmt: skip
        self.web = start(web, self.env, self.home / "web.log")
        self.beat = start([sys.executable, "-m", "celery", "-A", "otpsite", "beat"], self.env, self.home / "beat.log")
        for _ in range(2):
            self.start_worker()
        wait_until_up(self.web, f"{self.url}/healthz")
        return self

    def start_worker(self):
        name = f"worker-{len(self.workers)}"
        command = worker_command("--pool=prefork", "--concurrency=2", "-n", f"{name}@soak")
        command.remove("--pool=solo")
        self.workers.append(start(command, self.env, self.home / f"{name}.log"))

    def kill_a_worker(self):
        alive = [w for w in self.workers if w.poll() is None]
        victim = random.choice(alive)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        self.kills += 1
        self.start_worker()

    def stop(self):
        for process in [self.web, self.beat, *self.workers]:
            stop(process)


def create_all(stack, key, numbers):
    """Create one verification per number over the API; a 503 or 429 is retried as a client would."""
    http = session()
    headers = {"Authorization": f"Api-Key {key}"}
    created, refused = [], Counter()

    def create(number):
        channel = "call" if number.endswith(("1", "4", "7")) else "sms"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                response = http.post(
                    f"{stack.url}/api/v1/verifications", json={"phone_number": number, "channel": channel},
                    headers=headers, timeout=30,
                )  # fmt: skip
            except Exception as exc:  # noqa: BLE001 - a dropped connection is retried like a 503
                refused[type(exc).__name__] += 1
                time.sleep(1)
                continue
            if response.status_code == 201:
                return response.json()["id"]
            refused[response.status_code] += 1
            assert response.status_code in (429, 503), response.text  # never a 500
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return None

    with ThreadPoolExecutor(8) as pool:
        created = [i for i in pool.map(create, numbers) if i]
    return created, refused


def faults(stack, redis, database, creating):
    """Kill a worker every 15 s while creates go on; Redis down for 20 s at 20 s; PostgreSQL
    restarts at 70 s (the schedule runs to its end even if the creates finish first)."""
    started = time.monotonic()
    done = set()
    next_kill = 15
    while creating.is_set() or len(done) < 2:
        elapsed = time.monotonic() - started
        if elapsed >= next_kill:
            stack.kill_a_worker()
            say(f"kill -9 a worker ({stack.kills} so far)")
            next_kill += 15
        if elapsed >= 20 and "redis" not in done:
            done.add("redis")
            say("Redis down for 20 s")
            redis.stop()
            time.sleep(20)
            redis.start()
            say("Redis back")
        if elapsed >= 70 and "postgres" not in done:
            done.add("postgres")
            say("PostgreSQL restarts")
            database.restart()
            say("PostgreSQL back")
        time.sleep(0.5)


def tally(database, created):
    with psycopg.connect(database.url.replace("postgres://", "postgresql://", 1)) as conn:
        statuses = Counter(
            dict(conn.execute(
                "SELECT status, count(*) FROM verification_delivery WHERE verification_id = ANY(%s::uuid[]) GROUP BY status",
                [created],
            ).fetchall())
        )  # fmt: skip
        doubled = conn.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM sandbox_inboxentry GROUP BY to_number, channel) c"
        ).fetchone()[0]
    return {
        "created": len(created),
        "delivered": statuses["completed"] + statuses["delivered"],
        "failed": sum(statuses[s] for s in ("failed", "no_answer", "busy", "undelivered")),
        "lost": sum(n for s, n in statuses.items() if s not in FINAL),
        "duplicate": int(doubled),
    }


def main():
    home = Path(tempfile.mkdtemp(prefix="otpsite-soak-"))
    home.chmod(0o755)  # PostgreSQL runs as its own user
    database = PrivatePostgres(home / "pg").start()
    database.create_database()
    redis = PrivateRedis(home).start()
    stack = Stack(home, database, redis)
    try:
        stack.start()
        key = stack.manage("create_api_key", "soak").strip().splitlines()[-1]
        numbers = [f"+1415557{n:04d}" for n in range(TOTAL)]
        say(f"{TOTAL} verifications, with faults, at {stack.url} (logs in {home})")
        creating = threading.Event()
        creating.set()
        chaos = threading.Thread(target=faults, args=(stack, redis, database, creating), daemon=True)
        chaos.start()
        created, refused = create_all(stack, key, numbers)
        say(f"created {len(created)}; refused and retried: {dict(refused)}")
        creating.clear()
        chaos.join()
        deadline = time.monotonic() + 720
        while time.monotonic() < deadline:
            result = tally(database, created)
            if not result["lost"]:
                break
            time.sleep(5)
        result = tally(database, created)
        say(f"worker kills: {stack.kills}, Redis down 20 s, one PostgreSQL restart")
        print(" ".join(f"{name}={value}" for name, value in result.items()), flush=True)
        return 1 if result["lost"] or result["duplicate"] else 0
    finally:
        if any(w.poll() is not None and w.returncode not in (0, -9) for w in stack.workers):
            say("a worker exited on its own: " + log_text(stack.workers[-1])[-2000:])
        stack.stop()
        redis.stop()
        database.stop()


if __name__ == "__main__":
    sys.exit(main())
