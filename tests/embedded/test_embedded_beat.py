"""`make run` runs the beat schedule itself (no broker, no beat process): a verification
nobody reads expires on time, and its `verification.expired` event goes out."""

import sqlite3
import time

from tests.processes import SiteClient, create_api_key, log_text

from .conftest import serving_embedded


def status_in_database(home, verification_id):
    """Read from the SQLite file itself: a GET would expire it on the way (not what is tested)."""
    with sqlite3.connect(home / "db.sqlite3") as db:
        [status] = db.execute(
            "SELECT status FROM verification_verificationattempt WHERE id = ?", [verification_id.replace("-", "")]
        ).fetchone()
        return status


def test_a_verification_nobody_reads_expires_on_time(tmp_path):
    with serving_embedded(tmp_path, VERIFICATION_TTL_SECONDS="2", VERIFICATION_SWEEP_INTERVAL_SECONDS="1") as (url, env, process):
        api = SiteClient(url, create_api_key(env))
        created = api.create("+14155550181", "sms").json()
        assert status_in_database(tmp_path, created["id"]) == "pending"
        deadline = time.monotonic() + 30
        while status_in_database(tmp_path, created["id"]) != "expired":
            assert time.monotonic() < deadline, "still pending: nothing ran the expiry"
            time.sleep(0.2)
        log = log_text(process)
        assert "Traceback" not in log and "database is locked" not in log  # every task of the schedule ran cleanly
