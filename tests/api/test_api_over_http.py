"""The API over a real socket: the whole flow, and requests in parallel."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import inbox, spoken_code
from verification.contrib.sandbox import simulator
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_then_read_the_code_from_the_sandbox_then_check_approves(http, live_site):
    created = http.post(http.base, json={"phone_number": "+14155550123", "channel": "call"}, timeout=30)
    assert created.status_code == 201
    simulator.wait_until_idle(timeout=15)
    code = spoken_code(inbox(live_site, "+14155550123")[0]["text"])
    checked = http.post(f"{http.base}/{created.json()['id']}/check", json={"code": code}, timeout=30)
    assert checked.json() == {"id": created.json()["id"], "status": "approved", "valid": True, "checks_remaining": 0}
    got = http.get(f"{http.base}/{created.json()['id']}", timeout=30).json()
    assert got["status"] == "approved"
    assert got["deliveries"][0]["status"] == "completed"


def test_twenty_parallel_right_checks_approve_exactly_once(http, live_site):
    created = http.post(http.base, json={"phone_number": "+14155550123", "channel": "call"}, timeout=30).json()
    simulator.wait_until_idle(timeout=15)
    code = spoken_code(inbox(live_site, "+14155550123")[0]["text"])

    def check(_):
        return http.post(f"{http.base}/{created['id']}/check", json={"code": code}, timeout=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(check, range(20)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 19
    assert {r.json()["errors"][0]["code"] for r in responses if r.status_code == 409} == {"verification_approved"}


def test_twenty_parallel_creates_for_one_number_leave_exactly_one_pending(http):
    def create(_):
        return http.post(http.base, json={"phone_number": "+14155550123", "channel": "call"}, timeout=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(create, range(20)))
    simulator.wait_until_idle(timeout=15)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [429] * 19  # the cooldown lets one through, atomically
    assert all(r.headers["Retry-After"] for r in responses if r.status_code == 429)
    assert VerificationAttempt.objects.filter(phone_number="+14155550123", status="pending").count() == 1


def test_twenty_parallel_creates_without_a_cooldown_still_leave_exactly_one_pending(http, settings):
    """With the cooldown out of the way the supersede race itself is what is tested."""
    settings.VERIFICATION_RESEND_COOLDOWN_SECONDS = 0
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 1000

    def create(_):
        return http.post(http.base, json={"phone_number": "+14155550123", "channel": "call"}, timeout=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(create, range(20)))
    simulator.wait_until_idle(timeout=30)
    assert [r.status_code for r in responses] == [201] * 20
    assert VerificationAttempt.objects.filter(phone_number="+14155550123", status="pending").count() == 1
    assert VerificationAttempt.objects.filter(phone_number="+14155550123", status="canceled").count() == 19
