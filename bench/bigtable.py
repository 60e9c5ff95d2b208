"""`make bench`, second part: the admin's dashboard and changelists over 1,000,000 verifications.

Fills `<DATABASE NAME>_big_bench` (or BENCH_BIG_DATABASE) once, by SQL `generate_series`
in about three minutes, kept between runs and filled again when the fill below changes
or is a day old: verifications, their deliveries and audit rows; and `<that name>_1k` with 1,000
of the same. Then times the real admin pages (logged-in test client, DEBUG off) and
check and get at both sizes.

    python -m bench --big             # this part alone (`python -m bench` runs both)
    python -m bench --big --explain   # and the plans: EXPLAIN (ANALYZE, BUFFERS) of the dashboard's queries

Imported by `bench/__main__.py` once Django is set up.
"""

import os
import statistics
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from verification import services
from verification.codes import hash_code
from verification.models import VerificationAttempt
from verification.selectors import FIGURES_VERSION

# Its own databases on DATABASE_URL's server (part one's is `otpsite_bench`).
BIG_DATABASE = os.environ.get("BENCH_BIG_DATABASE") or f"{settings.DATABASES['default']['NAME']}_big_bench"
BIG_ROWS = int(os.environ.get("BENCH_BIG_ROWS", "1000000"))
SMALL_ROWS = 1000
FILL_VERSION = 2  # bump when the fill below changes: a cached database is then filled again
PAGE_RUNS = int(os.environ.get("BENCH_PAGE_RUNS", "5"))
SERVICE_RUNS = int(os.environ.get("BENCH_SERVICE_RUNS", "2000"))

# Countries, their share of verifications (per mille, cumulative) and calling code.
COUNTRIES = [
    ("US", 400, "+1"), ("GB", 480, "+44"), ("IN", 560, "+91"), ("DE", 610, "+49"), ("FR", 660, "+33"),
    ("BR", 710, "+55"), ("MX", 750, "+52"), ("CA", 780, "+1"), ("NG", 810, "+234"), ("ID", 840, "+62"),
    ("PH", 865, "+63"), ("ES", 885, "+34"), ("IT", 905, "+39"), ("NL", 920, "+31"), ("PL", 935, "+48"),
    ("TR", 950, "+90"), ("VN", 962, "+84"), ("EG", 972, "+20"), ("PK", 982, "+92"), ("ZA", 991, "+27"),
    ("KE", 1000, "+254"),
]  # fmt: skip


def _country_case(column, index):
    """SQL choosing a country's field (0: code, 2: calling code) from a hash in 0..999 of the number."""
    whens = " ".join(f"WHEN {column} < {country[1]} THEN '{country[index]}'" for country in COUNTRIES)
    return f"CASE {whens} END"


# One statement a step; %(rows)s is the number of verifications. Deterministic (setseed).
# Numbers come from a pool of rows/2.5 with a long tail (a few numbers verified hundreds of
# times), client IPs from a pool of 2 x rows (mostly one verification each, some busy
# ones); a verification is pending only in its last ten minutes.
FILL = [
    "SELECT setseed(0.14)",
    """
    CREATE TEMP TABLE bench_v ON COMMIT DROP AS
    SELECT i, md5('v' || i)::uuid AS id, num_idx, ip_idx, r_status, r_channel, r_ip, r_tenant, r_checks, r_second,
           now() - interval '90 days' * r_age AS created_at,
           (((num_idx::bigint * 2654435761) %% 1000)) AS country_hash
    FROM (
        SELECT i, floor(%(rows)s / 2.5 * power(random(), 2.2))::bigint AS num_idx,
               floor(%(rows)s * 2 * power(random(), 1.6))::bigint AS ip_idx,
               random() AS r_age, random() AS r_status, random() AS r_channel, random() AS r_ip,
               random() AS r_tenant, random() AS r_checks, random() AS r_second
        FROM generate_series(1, %(rows)s) AS i
    ) AS drawn
    """,
    f"""
    CREATE TEMP TABLE bench_verification ON COMMIT DROP AS
    SELECT id, i, created_at, r_checks, r_second, full_status,
        CASE WHEN pending THEN '+1415' || lpad(i::text, 7, '0')
             WHEN calling = '+1' THEN '+1' || (201 + num_idx %% 700) || lpad((num_idx %% 10000000)::text, 7, '0')
             ELSE calling || '7' || lpad((num_idx %% 100000000)::text, 8, '0') END AS phone_number,
        CASE WHEN pending THEN 'US' ELSE country END AS country,
        CASE WHEN r_channel < 0.55 THEN 'sms' WHEN r_channel < 0.85 THEN 'call' ELSE 'auto' END AS channel,
        status,
        CASE WHEN status = 'approved' THEN (CASE WHEN r_checks < 0.80 THEN 0 WHEN r_checks < 0.95 THEN 1 ELSE 2 END)
             WHEN status = 'max_attempts_reached' THEN 5
             WHEN status = 'expired' THEN (CASE WHEN r_checks < 0.70 THEN 0 ELSE 1 END)
             ELSE 0 END AS failed_checks,
        CASE WHEN r_ip < 0.04 THEN NULL
             WHEN r_ip < 0.09 THEN '2001:db8::'::inet + ip_idx
             ELSE '1.0.0.0'::inet + ((ip_idx * 2654435761) %% 3000000000) END AS client_ip,
        CASE WHEN r_tenant < 0.6 THEN 'site' ELSE 'key:bench-' || (num_idx %% 5) END AS tenant,
        created_at + CASE status WHEN 'approved' THEN interval '40 s' WHEN 'expired' THEN interval '600 s'
                                 WHEN 'failed' THEN interval '120 s' WHEN 'pending' THEN NULL
                                 ELSE interval '90 s' END AS ended_at
    FROM (
        SELECT *, {_country_case("country_hash", 0)} AS country, {_country_case("country_hash", 2)} AS calling,
            created_at > now() - interval '10 minutes' AS pending,
            CASE WHEN created_at > now() - interval '10 minutes' THEN 'pending'
                 WHEN r_status < 0.70 THEN 'approved' WHEN r_status < 0.82 THEN 'expired'
                 WHEN r_status < 0.85 THEN 'max_attempts_reached' WHEN r_status < 0.89 THEN 'failed'
                 WHEN r_status < 0.97 THEN 'canceled:superseded' ELSE 'canceled' END AS full_status
        FROM bench_v
    ) AS v, LATERAL (SELECT split_part(full_status, ':', 1) AS status) AS s
    """,
    """
    INSERT INTO verification_verificationattempt
        (id, phone_number, country, channel, locale, voice_mode, status, code_hash, code_encrypted, failed_checks,
         max_checks, client_ip, api_key_id, status_callback, tenant, created_at, expires_at, ended_at, last_sent_at)
    SELECT id, phone_number, country, channel, CASE WHEN country = 'US' THEN 'en-US' ELSE 'en-GB' END, 'read',
           status, md5('h' || i) || md5('k' || i), CASE WHEN status = 'pending' THEN '\\x00'::bytea END,
           failed_checks, 5, client_ip, NULL, '', tenant, created_at, created_at + interval '600 s', ended_at,
           created_at
    FROM bench_verification ORDER BY created_at
    """,
    # The first delivery of each; a second (a resend, or auto's call after its SMS) for a quarter.
    """
    CREATE TEMP TABLE bench_delivery ON COMMIT DROP AS
    SELECT md5('d' || n || '-' || i)::uuid AS id, v.id AS verification_id, v.i, n, v.tenant, v.client_ip,
           d.channel, v.created_at + (n - 1) * interval '45 s' AS created_at,
           CASE WHEN v.status = 'pending' THEN 'sent'
                WHEN v.status = 'failed' OR (v.status = 'expired' AND v.r_checks < 0.4) THEN
                    CASE WHEN d.channel = 'sms' THEN (CASE WHEN v.r_second < 0.6 THEN 'undelivered' ELSE 'failed' END)
                         ELSE (CASE WHEN v.r_second < 0.5 THEN 'no_answer' WHEN v.r_second < 0.8 THEN 'busy'
                                    ELSE 'failed' END) END
                WHEN d.channel = 'sms' THEN 'delivered' ELSE 'completed' END AS status
    FROM bench_verification AS v
    CROSS JOIN LATERAL (VALUES (1), (2)) AS numbered (n)
    CROSS JOIN LATERAL (
        SELECT CASE WHEN v.channel = 'call' OR (v.channel = 'auto' AND n = 2) THEN 'call' ELSE 'sms' END AS channel
    ) AS d
    WHERE n = 1 OR v.r_second < 0.25
    """,
    """
    INSERT INTO verification_delivery
        (id, verification_id, channel, carrier, status, provider_id, tries, error, hangup_cause, hangup_cause_code,
         hangup_cause_name, hangup_source, due_at, duration_seconds, code_spoken_at, created_at, updated_at)
    SELECT id, verification_id, channel, 'plivo', status, md5('p' || n || '-' || i), 1,
           CASE WHEN status IN ('failed', 'undelivered') THEN 'The carrier reported ' || status ELSE '' END,
           CASE WHEN channel = 'call' THEN (CASE status WHEN 'completed' THEN 'NORMAL_CLEARING'
                WHEN 'busy' THEN 'USER_BUSY' WHEN 'no_answer' THEN 'NO_ANSWER' ELSE '' END) ELSE '' END,
           CASE WHEN channel = 'call' AND status = 'completed' THEN '4010' ELSE '' END,
           CASE WHEN channel = 'call' AND status = 'completed' THEN 'End Of XML Instructions' ELSE '' END,
           CASE WHEN channel = 'call' AND status = 'completed' THEN 'Plivo' ELSE '' END,
           created_at, CASE WHEN channel = 'call' AND status = 'completed' THEN 24 END,
           CASE WHEN channel = 'call' AND status = 'completed' THEN created_at + interval '15 s' END,
           created_at, created_at + interval '10 s'
    FROM bench_delivery ORDER BY created_at
    """,
    # The audit trail: created; queued, sent and the final status of each delivery; each
    # wrong code; the approving or locking check; the end; a late, refused check for 3%%.
    """
    INSERT INTO verification_auditevent
        (verification_id, delivery_id, event, from_status, to_status, outcome, actor_type, actor, ip, detail, created_at)
    SELECT * FROM (
    SELECT id, NULL::uuid, 'created', '', 'pending', '', CASE WHEN tenant = 'site' THEN 'user' ELSE 'api_key' END,
           CASE WHEN tenant = 'site' THEN '' ELSE tenant END, client_ip,
           jsonb_build_object('channel', channel), created_at
    FROM bench_verification
    UNION ALL
    SELECT verification_id, id, event, '', '', '', 'system', '', NULL,
           jsonb_build_object('channel', channel), created_at + step
    FROM bench_delivery, (VALUES ('delivery_queued', interval '0 s'), ('delivery_sent', interval '2 s')) AS e (event, step)
    UNION ALL
    SELECT verification_id, id, 'delivery_status', 'sent', status, '', 'carrier', 'plivo', NULL, '{}',
           created_at + interval '10 s'
    FROM bench_delivery WHERE status <> 'sent'
    UNION ALL
    SELECT v.id, NULL, 'check', 'pending',
           CASE WHEN k = 5 THEN 'max_attempts_reached' ELSE 'pending' END, 'invalid',
           CASE WHEN tenant = 'site' THEN 'user' ELSE 'api_key' END, '', client_ip, '{}',
           created_at + interval '20 s' + k * interval '3 s'
    FROM bench_verification AS v, generate_series(1, v.failed_checks) AS k
    UNION ALL
    SELECT id, NULL, 'check', 'pending', 'approved', 'valid', CASE WHEN tenant = 'site' THEN 'user' ELSE 'api_key' END,
           '', client_ip, '{}', ended_at
    FROM bench_verification WHERE status = 'approved'
    UNION ALL
    SELECT id, NULL, CASE WHEN full_status = 'canceled:superseded' THEN 'superseded' ELSE status END,
           'pending', status, '', 'system', '', NULL, '{}', ended_at
    FROM bench_verification WHERE status IN ('expired', 'failed', 'canceled')
    UNION ALL
    SELECT id, NULL, 'check', '', '', 'refused', CASE WHEN tenant = 'site' THEN 'user' ELSE 'api_key' END,
           '', client_ip, jsonb_build_object('status', status), ended_at + interval '30 s'
    FROM bench_verification WHERE status <> 'pending' AND r_checks > 0.97
    ) AS trail ORDER BY created_at
    """,
]
TABLES = ["verification_auditevent", "verification_delivery", "verification_verificationattempt"]


def use_database(name):
    """Point Django's connection at `name`, making the database if it is missing."""
    connection.close()
    connection.settings_dict["NAME"] = "postgres"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    connection.settings_dict["NAME"] = name


def filled(rows):
    """Whether the database holds this fill, recent enough: its days are relative to when it
    was made, and a day-old fill would leave the one-day dashboard with nothing to count."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_fill (rows bigint, version int, seconds float)")
        cursor.execute("SELECT rows, version FROM bench_fill")
        if cursor.fetchone() != (rows, FILL_VERSION):
            return False
        cursor.execute(
            "SELECT max(created_at) > now() - interval '1 day' FROM verification_verificationattempt"
            " WHERE tenant <> 'bench-check'"  # not the row that check and get are timed on
        )
        return cursor.fetchone()[0]


def fill(rows):
    """Fill the three tables with `rows` verifications: secondary indexes dropped and
    rebuilt around the insert, foreign-key triggers off for it (this database only)."""
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            f"TRUNCATE bench_fill, {', '.join(TABLES)} CASCADE"
        )  # and what refers to them (this database only)
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index AS i
               WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique""",
            [TABLES],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for statement in FILL:
            cursor.execute(statement, {"rows": rows})
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("INSERT INTO bench_fill VALUES (%s, %s, %s)", [rows, FILL_VERSION, time.perf_counter() - start])
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"filled {connection.settings_dict['NAME']}: {rows:,} verifications in {time.perf_counter() - start:.0f} s")


def prepare(name, rows):
    use_database(name)
    call_command("migrate", verbosity=0, interactive=False)
    if not filled(rows):
        fill(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM verification_delivery), (SELECT count(*) FROM verification_auditevent)"
        )
        deliveries, audits = cursor.fetchone()
    print(f"{name}: {rows:,} verifications, {deliveries:,} deliveries, {audits:,} audit rows")


def median_ms(operation, runs):
    times = []
    for i in range(runs):
        start = time.perf_counter()
        operation(i)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


PAGES = [
    ("dashboard, 1 day", "/admin/verification/dashboard/?days=1"),
    ("dashboard, 30 days", "/admin/verification/dashboard/?days=30"),
    ("dashboard, 90 days", "/admin/verification/dashboard/?days=90"),
    ("verifications changelist", "/admin/verification/verificationattempt/"),
    ("verifications, filtered by country", "/admin/verification/verificationattempt/?country=GB"),
    ("verifications, searched by number", "/admin/verification/verificationattempt/?q=%2B14155550123"),
    ("deliveries changelist", "/admin/verification/delivery/"),
    ("audit trail changelist", "/admin/verification/auditevent/"),
]


def admin_client():
    user, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(user)
    return client


def forget_settled_days():
    """Empty the cache of the dashboard's settled days for this database (as after a deploy)."""
    today = timezone.now().date()
    database = connection.settings_dict["NAME"]
    cache.delete_many([f"dashboard-day:{FIGURES_VERSION}:{database}:{today - timedelta(days=n)}" for n in range(100)])


def time_pages():
    """Median wall time of each admin page (one warm-up first), DEBUG off; and the first
    90-day dashboard with no settled day in the cache, which counts them all once."""
    results = {}
    with override_settings(DEBUG=False):
        client = admin_client()
        forget_settled_days()
        start = time.perf_counter()
        client.get("/admin/verification/dashboard/?days=90")
        results["dashboard, 90 days, first view (settled days counted once)"] = 1000 * (time.perf_counter() - start)
        for label, url in PAGES:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            results[label] = median_ms(lambda i, url=url: client.get(url), PAGE_RUNS)
    return results


def explain_dashboard(days, verbose):
    """EXPLAIN (ANALYZE, BUFFERS) of each statement the dashboard runs for `days`."""
    with override_settings(DEBUG=False):
        client = admin_client()
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/admin/verification/dashboard/?days={days}")
    print(f"\nEXPLAIN (ANALYZE, BUFFERS), dashboard for {days} days:")
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql or "auth_user" in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
            total = next(line for line in reversed(plan) if line.startswith("Execution Time"))
            print(f"  {total.split(':')[1].strip():>12}  {sql[:110]}")
            if verbose:
                print("\n".join("      " + line for line in plan))


def pending_verification():
    """A pending verification to check and get, its code known (wrong guesses never lock it)."""
    now = timezone.now()
    verification = VerificationAttempt(
        phone_number="+14155550199",
        country="US",
        channel="sms",
        max_checks=32000,
        tenant="bench-check",
        created_at=now,
        expires_at=now + timedelta(days=3650),
    )
    verification.code_hash = hash_code("123456", verification_id=verification.id)
    verification.code_encrypted = b"\x00"
    VerificationAttempt.objects.filter(tenant="bench-check").delete()
    verification.save(force_insert=True)
    return verification


class Rollback(Exception):
    pass


def time_services(targets):
    """Median ms of one get and one wrong check in each database, op by op in turn (each
    on its own open connection), so that the shared machine's noise falls on both alike.
    Each check is rolled back: the row stays the same."""
    wrapper_class, settings_dict = type(connections["default"]), connections["default"].settings_dict
    wrappers = {name: wrapper_class({**settings_dict, "NAME": name}) for name in targets}
    times = {(name, operation): [] for name in targets for operation in ("get", "check, wrong code")}

    def check(verification):
        try:
            with transaction.atomic():
                services.verification_check(verification_id=verification.id, code="654321")
                raise Rollback
        except Rollback:
            pass

    operations = {
        "get": lambda verification: services.verification_get(verification_id=verification.id),
        "check, wrong code": check,
    }
    original = connections["default"]
    try:
        with override_settings(DEBUG=False):
            for i in range(SERVICE_RUNS):
                for name in list(targets)[:: 1 if i % 2 else -1]:
                    connections["default"] = wrappers[name]
                    for operation, run in operations.items():
                        start = time.perf_counter()
                        run(targets[name])
                        times[name, operation].append(1000 * (time.perf_counter() - start))
    finally:
        connections["default"] = original
        for wrapper in wrappers.values():
            wrapper.close()
    return {key: statistics.median(values) for key, values in times.items()}


def main():
    verbose = "--explain" in sys.argv
    big, small = BIG_DATABASE, f"{BIG_DATABASE}_1k"
    print(f"\n--- admin and services at {BIG_ROWS:,} verifications (database {big}) ---")
    targets = {}
    for name, rows in ((small, SMALL_ROWS), (big, BIG_ROWS)):
        prepare(name, rows)
        targets[name] = pending_verification()
    pages = time_pages()  # on the big database, the last one prepared
    explain_dashboard(90, verbose)
    services_ms = time_services(targets)
    print(f"\n{'page (median of ' + str(PAGE_RUNS) + ')':<60} {'ms':>8}")
    for label, ms in pages.items():
        if "first view" in label:
            print(f"{label:<60} {ms:8.0f}   (once, then each day: one more day)")
            continue
        target = 1000 if label.startswith("dashboard") else 500
        print(f"{label:<60} {ms:8.0f}   {'ok' if ms < target else 'OVER'} (< {target} ms)")
    print(f"\n{'service (median of ' + str(SERVICE_RUNS) + ', in turn)':<60} {SMALL_ROWS:>8,} {BIG_ROWS:>10,}   ratio")
    for operation in ("get", "check, wrong code"):
        at_small, at_big = services_ms[small, operation], services_ms[big, operation]
        verdict = "ok" if at_big <= 1.10 * at_small else "OVER"
        print(
            f"{operation + ' (ms)':<60} {at_small:8.2f} {at_big:10.2f}   {at_big / at_small:.2f}x {verdict} (<= 1.10x)"
        )
    use_database(big)
