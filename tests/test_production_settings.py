"""The settings default to production-safe values; the sandbox never runs there by accident."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django; django.setup(); from django.conf import settings; from django.urls import resolve, Resolver404\n"
    "try:\n    resolve('/sandbox/inbox/'); print('sandbox mounted')\n"
    "except Resolver404:\n    print('sandbox absent')\n"
    "print('debug', settings.DEBUG)"
)


def start(**env):
    """Load the project's settings in a fresh process with only `env` set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VERIFICATION_", "PLIVO_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "otpsite.settings", "DJANGO_ENV_FILE": "", **env})
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_debug_is_off_and_a_secret_key_is_required_by_default():
    result = start()
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_the_sandbox_refuses_to_start_with_debug_off():
    result = start(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "The sandbox carrier refuses to start with DJANGO_DEBUG off" in result.stderr


def test_the_sandbox_runs_in_production_only_when_asked_on_purpose():
    result = start(DJANGO_SECRET_KEY="x" * 50, VERIFICATION_SANDBOX_IN_PRODUCTION="1")
    assert result.returncode == 0, result.stderr
    assert "sandbox mounted" in result.stdout


def test_with_real_plivo_in_production_the_sandbox_is_not_mounted():
    result = start(
        DJANGO_SECRET_KEY="x" * 50,
        VERIFICATION_CARRIER="plivo",
        PLIVO_AUTH_ID="MA" + "B" * 18,
        PLIVO_AUTH_TOKEN="token",
        PLIVO_FROM_NUMBER="+14155550100",
    )
    assert result.returncode == 0, result.stderr
    assert "sandbox absent" in result.stdout
    assert "debug False" in result.stdout


def test_real_plivo_without_credentials_is_refused_at_start():
    result = start(DJANGO_SECRET_KEY="x" * 50, VERIFICATION_CARRIER="plivo")
    assert result.returncode != 0
    assert "needs PLIVO_AUTH_ID" in result.stderr


def test_a_code_length_outside_4_to_10_is_refused_at_start():
    result = start(DJANGO_DEBUG="1", VERIFICATION_CODE_LENGTH="3")
    assert result.returncode != 0
    assert "VERIFICATION_CODE_LENGTH must be between 4 and 10" in result.stderr


def test_phlo_without_a_phlo_id_is_refused_at_start():
    result = start(DJANGO_DEBUG="1", VERIFICATION_PLIVO_API="phlo")
    assert result.returncode != 0
    assert "needs PLIVO_PHLO_ID" in result.stderr


def test_a_malformed_auth_id_is_refused_at_start():
    result = start(DJANGO_DEBUG="1", PLIVO_AUTH_ID="not-an-auth-id")
    assert result.returncode != 0
    assert "PLIVO_AUTH_ID is 20 characters" in result.stderr
