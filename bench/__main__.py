"""`make bench`: throughput of the hot paths on the real PostgreSQL and Redis.

Prints operations per second and ratios measured in this one run; the
machine is noisy, so compare ratios, not absolute numbers across runs.
Uses its own database (`<DATABASE NAME>_bench`, kept between runs).
"""

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import override_settings
from django_redis import get_redis_connection

from verification import ratelimit, services
from verification.codes import decrypt_code

SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))


class Rollback(Exception):
    pass


def measure(name, operation):
    """Run `operation(i)` for about SECONDS; return operations per second."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        operation(count)
        count += 1
    rate = count / (time.perf_counter() - start)
    print(f"{name:<52} {rate:10.0f} ops/s")
    return rate


def create_once(i):
    """One create (rules, supersede, insert, audit, delivery), rolled back: nothing is sent."""
    try:
        with transaction.atomic():
            services.verification_create(phone_number=f"+1415555{i % 10000:04d}", channel="call")
            raise Rollback
    except Rollback:
        pass


def main():
    connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_bench"
    connection.creation.create_test_db(verbosity=0, keepdb=True, serialize=False)
    redis = get_redis_connection("default")
    redis.flushdb()
    print(f"database: {connection.vendor}, cache: {settings.CACHES['default']['BACKEND']}, {SECONDS}s each\n")
    with override_settings(
        VERIFICATION_RESEND_COOLDOWN_SECONDS=0,
        VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR=10**9,
        VERIFICATION_MAX_CHECKS=10**4,
    ):
        rule = [ratelimit.Rule("bench", "x", limit=10**9, window=3600)]
        lua = measure("ratelimit.hit (one Lua script in Redis)", lambda i: ratelimit.hit(rule))
        creates = measure("verification_create (rolled back, nothing sent)", create_once)
        try:
            with transaction.atomic():  # never commits: the delivery is never dispatched
                verification = services.verification_create(phone_number="+14155550100", channel="call")
                wrong = "".join(str((int(d) + 1) % 10) for d in decrypt_code(verification.code_encrypted))
                checks = measure(
                    "verification_check, wrong code (row lock + audit)",
                    lambda i: services.verification_check(verification_id=verification.id, code=wrong),
                )
                raise Rollback
        except Rollback:
            pass
    redis.flushdb()
    print(f"\nratios in this run: check/create {checks / creates:.1f}x, rate-limit hit/create {lua / creates:.1f}x")


if __name__ == "__main__":
    main()
