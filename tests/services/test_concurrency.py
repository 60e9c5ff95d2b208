"""Parallel checks on PostgreSQL: every wrong guess counts, a right code approves once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.helpers import code_of
from verification import services
from verification.models import AuditEvent, VerificationAttempt

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_site")]  # deliveries reach the sandbox

THREADS = 10


def run_in_parallel(function, times):
    def call(_):
        try:
            return function()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(call, range(times)))


def test_parallel_wrong_guesses_are_each_counted(settings):
    settings.VERIFICATION_MAX_CHECKS = 50
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    wrong = "".join(str((int(d) + 1) % 10) for d in code_of(verification))
    results = run_in_parallel(lambda: services.verification_check(verification_id=verification.id, code=wrong), THREADS)
    verification.refresh_from_db()
    assert verification.failed_checks == THREADS
    assert sorted(r.checks_remaining for r in results) == list(range(50 - THREADS, 50))


def test_parallel_wrong_guesses_cannot_exceed_the_limit(settings):
    settings.VERIFICATION_MAX_CHECKS = 3
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    wrong = "".join(str((int(d) + 1) % 10) for d in code_of(verification))
    results = run_in_parallel(lambda: services.verification_check(verification_id=verification.id, code=wrong), THREADS)
    refused = [r for r in results if r.refused]
    verification.refresh_from_db()
    assert verification.failed_checks == 3
    assert verification.status == "max_attempts_reached"
    assert len(refused) == THREADS - 3
    assert {r.refused for r in refused} == {"max_attempts_reached"}


def test_parallel_right_codes_approve_exactly_once():
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    code = code_of(verification)
    results = run_in_parallel(lambda: services.verification_check(verification_id=verification.id, code=code), THREADS)
    approvals = [r for r in results if r.valid]
    refused = [r for r in results if r.refused]
    assert len(approvals) == 1
    assert len(refused) == THREADS - 1
    assert {r.refused for r in refused} == {"verification_approved"}
    assert AuditEvent.objects.filter(verification=verification, event="check", outcome="valid").count() == 1


def test_parallel_creates_for_one_number_leave_exactly_one_pending(settings):
    settings.VERIFICATION_RESEND_COOLDOWN_SECONDS = 0  # let every create through to the database
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 100
    results = run_in_parallel(
        lambda: services.verification_create(phone_number="+14155550123", channel="call"), THREADS
    )
    assert all(isinstance(r, VerificationAttempt) for r in results)
    assert VerificationAttempt.objects.filter(phone_number="+14155550123", status="pending").count() == 1
    assert VerificationAttempt.objects.filter(phone_number="+14155550123", status="canceled").count() == THREADS - 1
