"""`make bench`, part one: the hot paths over HTTP, on the real server under load.

gunicorn started as `make serve` starts it (otpsite/serve.py), DEBUG off, PostgreSQL
and Redis; wrk (Debian's `wrk`) drives 32 connections at each path in turn, three
rounds, the order turned each round; prints the medians of req/s, p50 and p99 and the
ratio to a plain `JsonResponse` view served by the same server, settings and
middleware (bench/urls.py, routed only in the bench's settings). Two floors run beside
it: one SELECT by id, and a transaction that locks and updates one row, each through
Django's connection in a plain view (no framework, no key, no model): what the wire of a
GET and of a check cost on this server before any of our code runs.

Single-use requests (a right code, a Plivo fetch with its nonce) are prepared before
each round, one per request: see bench/pools.py. No Celery worker runs, so no carrier
is ever asked: a create's delivery waits in the bench's own broker database, which is
flushed after the run.

Environment: BENCH_DATABASE_URL (default: DATABASE_URL's server, database
otpsite_bench), BENCH_REDIS_URL and BENCH_BROKER_URL (default: databases 10 and 11
of the local Redis; both are flushed), BENCH_PORT (18100), BENCH_SECONDS (10),
BENCH_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (2), BENCH_PATHS (a
comma-separated subset of the names below), WEB_CONCURRENCY and GUNICORN_THREADS
as for `make serve`. BENCH_PEER_URL: a django-phone-verify server to measure beside
ours (README, "Performance").
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "bench" / "requests.lua"
SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH"
PLIVO_AUTH_ID = "MABENCHBENCHBENCH000"
PLIVO_AUTH_TOKEN = "bench-only-plivo-auth-token"
PATHS = ["plain", "floor", "floor_write", "get", "check_wrong", "check_right", "create", "answer_xml", "code_xml"]
LABELS = {
    "plain": "plain JsonResponse (same server)",
    "floor": "floor: one SELECT by id, no framework",
    "floor_write": "floor: lock and update one row, no framework",
    "get": "GET /api/v1/verifications/{id}",
    "check_wrong": "POST .../check, wrong code",
    "check_right": "POST .../check, right code",
    "create": "POST /api/v1/verifications",
    "answer_xml": "answer XML (signed, as Plivo fetches it)",
    "code_xml": "code XML (signed)",
    "peer_plain": "django-phone-verify: its plain view",
    "peer_verify": "django-phone-verify: verify (right code)",
}
TARGETS = {"get": 0.50, "check_wrong": 0.40, "check_right": 0.40, "create": 0.30, "answer_xml": 0.60, "code_xml": 0.60}
P99_TARGET_MS = 50


def setting(name, default):
    return os.environ.get(name) or default


def database_url():
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = urllib.parse.urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/otpsite")
    return urllib.parse.urlunsplit(base._replace(path="/otpsite_bench"))


def server_env(port, static_root):
    """The production settings (DEBUG off), on the bench's database and Redis; caps that a
    run of tens of thousands of creates from one key would reach are raised (they are
    still checked, in the same script, on every create)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("VERIFICATION_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_ENV_FILE": "",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(static_root),
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url(),
            "REDIS_URL": setting("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"),
            "CELERY_BROKER_URL": setting("BENCH_BROKER_URL", "redis://127.0.0.1:6379/11"),
            "CACHE_KEY_PREFIX": "otpsite-bench",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "HOST_PORT": f"127.0.0.1:{port}",
            "VERIFICATION_CARRIER": "plivo",  # never reached: no worker runs
            "PLIVO_AUTH_ID": PLIVO_AUTH_ID,
            "PLIVO_AUTH_TOKEN": PLIVO_AUTH_TOKEN,
            "PLIVO_FROM_NUMBER": "+14155550100",
            "VERIFICATION_MAX_VERIFICATIONS_PER_KEY_PER_HOUR": "1000000000",
            "VERIFICATION_MAX_SENDS_PER_COUNTRY_PER_HOUR": "1000000000",
            "VERIFICATION_MAX_SENDS_PER_HOUR": "1000000000",
            "VERIFICATION_FRAUD_MIN_SENDS": "1000000000",  # every create still runs the guard's script
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def prepare_database(env):
    url = urllib.parse.urlsplit(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = urllib.parse.urlunsplit(url._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)


def empty_tables():
    from django.db import connection

    from verification.models import AuditEvent, Delivery, IdempotencyRecord, VerificationAttempt, WebhookMessage

    tables = [
        model._meta.db_table for model in (AuditEvent, WebhookMessage, IdempotencyRecord, Delivery, VerificationAttempt)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        cursor.execute("DELETE FROM rest_framework_api_key_apikey WHERE name = 'bench'")


PEER_TABLE = "sms_verification"  # django-phone-verify's SMSVerification


def empty_peer_table(peer_db):
    """The peer's verifications emptied at the start, as ours are. Its verify reads a row by
    number and session token, which its one index (code, number, token) does not serve, so
    its cost grows with its table: runs compare only from the same start."""
    url = urllib.parse.urlsplit(database_url())
    peer = urllib.parse.urlunsplit(url._replace(scheme="postgresql", path=f"/{peer_db}"))
    with psycopg.connect(peer, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {PEER_TABLE}")


def analyze_tables():
    """Fresh planner statistics for the rows just written. A table emptied and refilled keeps
    the statistics of its empty state until autovacuum comes round, and the planner, thinking
    the bench's key owns a few hundred rows, reads a verification through the key's index
    rather than its primary key: a filter over a thousand rows per statement that a live
    table (with its statistics) does not pay."""
    from django.db import connection

    from verification.models import AuditEvent, Delivery, VerificationAttempt

    with connection.cursor() as cursor:
        for model in (VerificationAttempt, Delivery, AuditEvent):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def flush_redis(env):
    for url in (env["REDIS_URL"], env["CELERY_BROKER_URL"]):
        redis.Redis.from_url(url).flushdb()


def start_server(env, log_path):
    from otpsite.serve import web_command

    log = open(log_path, "wb")  # noqa: SIM115 - closed in stop_server
    process = subprocess.Popen(
        web_command(env), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log = log
    http = requests.Session()
    http.trust_env = False
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}: see {log_path}")
        try:
            if http.get(f"{env['PUBLIC_BASE_URL']}/healthz", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not come up: see {log_path}")
        time.sleep(0.2)


def stop_server(process):
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
    process.log.close()


def write_requests(path, lines):
    with open(path, "w") as handle:
        for fields in lines:
            handle.write("\t".join(fields) + "\n")
    return path


def signed_form(url_path, params, base_url):
    """A POST as Plivo sends it: form-encoded, signed with V3 over the public URL, a fresh nonce."""
    from verification.signatures import sign_v3

    headers = sign_v3(method="POST", url=base_url + url_path, params=params, auth_token=PLIVO_AUTH_TOKEN)
    return [
        "POST",
        url_path,
        urllib.parse.urlencode(params),
        "Content-Type: application/x-www-form-urlencoded",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]


def call_params(delivery, **extra):
    """What Plivo posts about a call (its CallUUID is the id the carrier gave the delivery)."""
    call_uuid = delivery.provider_id
    return {
        "CallUUID": call_uuid,
        "RequestUUID": call_uuid,
        "ALegUUID": call_uuid,
        "ALegRequestUUID": call_uuid,
        "From": "14155550100",
        "To": str(delivery.verification.phone_number).lstrip("+"),
        "Direction": "outbound",
        "CallStatus": "in-progress",
        **extra,
    }


class Pools:
    """The request files of one round, each big enough for `size` requests."""

    def __init__(self, directory, api_key, base_url):
        self.directory = Path(directory)
        self.api_key = api_key
        self.base_url = base_url

    def standing_pools(self):
        """The verifications GET reads again and again, throughout the run."""
        from bench import pools

        get = pools.verifications(1000, api_key=self.api_key)
        return write_requests(
            self.directory / "get.txt", [["GET", f"/api/v1/verifications/{v.id}", ""] for v, _, _ in get]
        )

    def build(self, name, size, round_number):
        from bench import pools
        from verification.conf import app_settings
        from verification.models import DeliveryStatus

        path = self.directory / f"{name}-{round_number}.txt"
        json_type = "Content-Type: application/json"
        if name in ("plain", "peer_plain"):
            return write_requests(path, [["GET", "/bench/plain", ""]])
        if name == "peer_verify":
            return peer_requests(os.environ["BENCH_PEER_URL"], self.directory, size, round_number)
        if name == "get":
            return self.directory / "get.txt"
        if name in ("floor", "floor_write"):  # the GET's verifications, read (or locked) by a floor view
            url = "/bench/floor/" if name == "floor" else "/bench/floor-write/"
            text = (self.directory / "get.txt").read_text().replace("/api/v1/verifications/", url)
            (self.directory / f"{name}.txt").write_text(text)
            return self.directory / f"{name}.txt"
        if name == "check_wrong":  # each takes MAX_CHECKS wrong codes; the last one ends it, as it would
            made = pools.verifications(-(-size // app_settings.MAX_CHECKS), api_key=self.api_key)
            lines = [
                ["POST", f"/api/v1/verifications/{v.id}/check", json.dumps({"code": pools.wrong(code)}), json_type]
                for v, _, code in made
            ]
            return write_requests(path, lines * app_settings.MAX_CHECKS)
        if name == "check_right":
            made = pools.verifications(size, api_key=self.api_key)
            return write_requests(
                path,
                [
                    ["POST", f"/api/v1/verifications/{v.id}/check", json.dumps({"code": code}), json_type]
                    for v, _, code in made
                ],
            )
        if name == "create":
            return write_requests(
                path,
                [
                    [
                        "POST",
                        "/api/v1/verifications",
                        json.dumps({"phone_number": number, "channel": "call"}),
                        json_type,
                    ]
                    for number in pools.phone_numbers(size)
                ],
            )
        if name == "answer_xml":
            made = pools.verifications(size, api_key=self.api_key)
            return write_requests(
                path,
                [
                    signed_form(f"/plivo/voice/{d.id}/answer/", call_params(d, Event="StartApp"), self.base_url)
                    for _, d, _ in made
                ],
            )
        if name == "code_xml":
            made = pools.verifications(size, api_key=self.api_key, delivery_status=DeliveryStatus.ANSWERED)
            return write_requests(
                path,
                [
                    signed_form(f"/plivo/voice/{d.id}/code/", call_params(d, Digits="1"), self.base_url)
                    for _, d, _ in made
                ],
            )
        raise ValueError(name)


REUSABLE = ("plain", "peer_plain", "get", "floor", "floor_write")


def run_wrk(url, requests_file, *, seconds, connections, threads, headers="", rate=None):
    """One wrk run; with `rate`, its connections are paced to offer about that many requests a
    second between them (requests.lua's BENCH_DELAY_MS), instead of each sending as fast as it
    is answered."""
    reusable = "1" if Path(requests_file).stem.split("-")[0] in REUSABLE else "0"
    env = dict(
        os.environ,
        BENCH_REQUESTS=str(requests_file),
        BENCH_THREADS=str(threads),
        BENCH_HEADERS=headers,
        BENCH_REUSABLE=reusable,
        BENCH_DELAY_MS=str(1000 * connections / rate) if rate else "0",
    )
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            result = json.loads(line[len("BENCH ") :])
            result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
            return result
    raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")


TICK = os.sysconf("SC_CLK_TCK")


def _ticks(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def server_pids(master_pid, database):
    """gunicorn's workers, and the PostgreSQL backends serving its database."""
    if not int(master_pid):
        return {"app": [], "db": []}  # unknown (a peer started without BENCH_PEER_PID)
    workers = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database])
        backends = [str(row[0]) for row in cursor.fetchall()]
    return {"app": workers, "db": backends}


def cpu_snapshot(master_pid, database):
    return {side: {pid: _ticks(pid) for pid in pids} for side, pids in server_pids(master_pid, database).items()}


def cpu_ms_per_request(before, after, requests_count):
    """CPU the server (gunicorn's workers; PostgreSQL) spent per request: what the machine's
    other load cannot inflate as much as it inflates req/s."""
    spent = {side: sum(ticks - before[side].get(pid, 0) for pid, ticks in after[side].items()) for side in after}
    return {side: 1000 * ticks / TICK / max(requests_count, 1) for side, ticks in spent.items()}


def machine():
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} cores (nproc), {model}"


def report(results):
    """The medians of the rounds, as a table."""
    plains = {
        side: statistics.median(r["rate"] for r in results[name]) for side, name in (("", "plain"), ("peer_", "peer_plain"))
        if name in results
    }  # fmt: skip
    cpu_plains = {
        side: statistics.median(r["app_cpu_ms"] + r["db_cpu_ms"] for r in results[name])
        for side, name in (("", "plain"), ("peer_", "peer_plain")) if name in results
    }  # fmt: skip
    print(
        f"\n{'path':<44} {'req/s':>8} {'x plain':>8} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>7} {'x plain':>8}  target"
    )
    summary = {}
    for name, rounds in results.items():
        rate = statistics.median(r["rate"] for r in rounds)
        p50 = statistics.median(r["p50_us"] for r in rounds) / 1000
        p99 = statistics.median(r["p99_us"] for r in rounds) / 1000
        problems = sum(r["non_2xx"] + r["socket_errors"] + r["timeouts"] for r in rounds)
        wrapped = sum(r["wrapped"] for r in rounds)
        side = "peer_" if name.startswith("peer_") else ""
        ratio = rate / plains[side]
        app_cpu = statistics.median(r["app_cpu_ms"] for r in rounds)
        db_cpu = statistics.median(r["db_cpu_ms"] for r in rounds)
        cpu = statistics.median(r["app_cpu_ms"] + r["db_cpu_ms"] for r in rounds)
        cpu_ratio = cpu_plains[side] / cpu if cpu else 0
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f">= {target:.2f}x, p99 < {P99_TARGET_MS}: " + (
                "ok" if ratio >= target and p99 < P99_TARGET_MS else "MISSED"
            )
        print(
            f"{LABELS[name]:<44} {rate:8.0f} {ratio:8.2f} {p50:8.1f} {p99:8.1f} {cpu:7.2f} {cpu_ratio:8.2f}  {verdict}"
        )
        if problems or wrapped:
            print(f"{'':<44} !! {problems} errors or non-2xx answers, {wrapped} pools reused: not a clean run")
        summary[name] = {"rate": rate, "ratio": ratio, "p50_ms": p50, "p99_ms": p99, "app_cpu_ms": app_cpu,
                         "db_cpu_ms": db_cpu, "cpu_ms": cpu, "cpu_ratio": cpu_ratio}  # fmt: skip
    if "peer_verify" in summary and "check_right" in summary:
        ours, theirs = summary["check_right"], summary["peer_verify"]
        print(
            f"\nour right check / django-phone-verify's verify: {ours['rate'] / theirs['rate']:.2f}x (target >= 1.5x); "
            f"its verify is {theirs['rate'] / summary['peer_plain']['rate']:.2f}x its own plain view; by CPU per "
            f"request ours is {theirs['cpu_ms']:.2f} / {ours['cpu_ms']:.2f} = {theirs['cpu_ms'] / ours['cpu_ms']:.2f}x as cheap"
        )
    return summary


def run_paced(names, results, pools, sizes, rounds, locations, seconds, connections, threads, auth):
    """Latency below saturation: each path once more, its connections paced to offer
    BENCH_PACED (0.5) of the req/s its rounds reached, the requests arriving at random
    (requests.lua). wrk's connections are closed loops, so at saturation a request's mean
    latency is the connections over the rate (Little's law) whatever the code does; this
    says what a client sees on a server that is busy but keeps up."""
    share = float(setting("BENCH_PACED", "0.5"))
    if share <= 0:
        return {}
    files = {name: pools.build(name, sizes[name], rounds) for name in names}
    analyze_tables()
    paced = {}
    for name in names:
        offered = share * statistics.median(r["rate"] for r in results[name])
        url, _pid, _db = locations(name)
        result = run_wrk(
            url, files[name], seconds=seconds, connections=connections, threads=threads, headers=auth, rate=offered
        )
        paced[name] = dict(result, offered=offered, share=share)
        print(
            f"paced {name:<12} offered {offered:6.0f} req/s  answered {result['rate']:6.0f} req/s"
            f"  p50 {result['p50_us'] / 1000:6.1f} ms  p99 {result['p99_us'] / 1000:6.1f} ms"
            f"  non-2xx {result['non_2xx']}  reused {result['wrapped']}",
            flush=True,
        )
    return paced


def report_paced(paced):
    if not paced:
        return
    share = next(iter(paced.values()))["share"]
    print(f"\npaced at {share:.0%} of each path's own median req/s, one round (BENCH_PACED):")
    print(f"{'path':<44} {'offered':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, result in paced.items():
        print(
            f"{LABELS[name]:<44} {result['offered']:8.0f} {result['rate']:8.0f} {result['p50_us'] / 1000:8.1f}"
            f" {result['p99_us'] / 1000:8.1f}"
        )
        problems = result["non_2xx"] + result["socket_errors"] + result["timeouts"]
        if problems or result["wrapped"]:
            print(f"{'':<44} !! {problems} errors or non-2xx answers, {result['wrapped']} pools reused")


def peer_requests(url, directory, size, round_number):
    """django-phone-verify's verify (README, "Performance"): its bench URL hands out
    (number, session token, security code) triples made by its own service."""
    http = requests.Session()
    http.trust_env = False
    made = []
    while len(made) < size:  # in pieces, each well within the server's timeout
        made += http.post(
            f"{url}/bench/prepare", data={"count": 1000, "start": len(made) + round_number * size}, timeout=60
        ).json()
    lines = [
        ["POST", "/api/phone/verify", json.dumps({"phone_number": p["phone_number"], "session_token": p["session_token"],
                                                   "security_code": p["security_code"]}), "Content-Type: application/json"]
        for p in made
    ]  # fmt: skip
    return write_requests(Path(directory) / f"peer_verify-{round_number}.txt", lines)


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    port = int(setting("BENCH_PORT", "18100"))
    seconds = int(setting("BENCH_SECONDS", "10"))
    rounds = int(setting("BENCH_ROUNDS", "3"))
    connections = int(setting("BENCH_CONNECTIONS", "32"))
    threads = int(setting("BENCH_WRK_THREADS", "2"))
    names = [n for n in setting("BENCH_PATHS", ",".join(PATHS)).split(",") if n]
    if "plain" not in names:
        names.insert(0, "plain")
    peer_url = os.environ.get("BENCH_PEER_URL", "").rstrip("/")
    if peer_url:
        names += ["peer_plain", "peer_verify"]
    # Its gunicorn master's pid and its database, for the CPU columns (README, "Performance").
    peer_pid, peer_db = os.environ.get("BENCH_PEER_PID", "0"), os.environ.get("BENCH_PEER_DATABASE", "")
    directory = Path(tempfile.mkdtemp(prefix="otpsite-bench-"))
    env = server_env(port, directory / "static")
    (directory / "static").mkdir()
    os.environ.update(env)
    prepare_database(env)

    import django

    django.setup()
    from rest_framework_api_key.models import APIKey

    from otpsite.serve import web_command

    empty_tables()
    if peer_db:
        empty_peer_table(peer_db)
    flush_redis(env)
    api_key, key = APIKey.objects.create_key(name="bench")
    auth = f"Authorization: Api-Key {key}"
    base_url = env["PUBLIC_BASE_URL"]
    database = urllib.parse.urlsplit(env["DATABASE_URL"]).path.lstrip("/")
    pools = Pools(directory, api_key, base_url)
    pools.standing_pools()
    print(f"machine: {machine()}")
    print(f"server: {' '.join(web_command(env)[1:])}")
    print(f"load: wrk -t{threads} -c{connections} -d{seconds}s, {rounds} rounds, medians; DEBUG off, PostgreSQL, Redis")
    print(f"load average before the run: {os.getloadavg()[0]:.1f} (other work on the machine skews req/s; cpu ms less)")
    print("cpu ms: CPU time of gunicorn's workers + PostgreSQL's backends per request; its x plain: plain's / this\n")
    server = start_server(env, directory / "gunicorn.log")
    results = {name: [] for name in names}

    def locations(name):
        return (peer_url, peer_pid, peer_db) if name.startswith("peer_") else (base_url, server.pid, database)

    # Single-use pools for round one; later rounds get at least 1.5 times what the last one used.
    sizes = dict.fromkeys(names, int(setting("BENCH_POOL", str(max(2000, 1000 * seconds)))))
    try:
        run_wrk(base_url, pools.build("get", 0, 0), seconds=2, connections=connections, threads=threads, headers=auth)
        for round_number in range(rounds):
            order = names[round_number % len(names) :] + names[: round_number % len(names)]
            files = {name: pools.build(name, sizes[name], round_number) for name in order}
            analyze_tables()
            for name in order:
                url, pid, db = locations(name)
                before = cpu_snapshot(pid, db)
                result = run_wrk(
                    url, files[name], seconds=seconds, connections=connections, threads=threads, headers=auth
                )
                cpu = cpu_ms_per_request(before, cpu_snapshot(pid, db), result["requests"])
                result["app_cpu_ms"], result["db_cpu_ms"] = cpu["app"], cpu["db"]
                results[name].append(result)
                sizes[name] = max(sizes[name], int(result["rate"] * seconds * 1.5))
                print(
                    f"round {round_number + 1} {name:<12} {result['rate']:8.0f} req/s  p50 {result['p50_us'] / 1000:6.1f} ms"
                    f"  p99 {result['p99_us'] / 1000:6.1f} ms  cpu {result['app_cpu_ms']:5.2f}+{result['db_cpu_ms']:4.2f} ms"
                    f"  non-2xx {result['non_2xx']}  reused {result['wrapped']}",
                    flush=True,
                )
        paced = run_paced(names, results, pools, sizes, rounds, locations, seconds, connections, threads, auth)
    finally:
        stop_server(server)
        flush_redis(env)
    summary = report(results)
    report_paced(paced)
    shutil.rmtree(directory, ignore_errors=True)
    return summary


if __name__ == "__main__":
    main()
