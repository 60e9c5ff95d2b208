"""The proxy settings as the site reads them at start (a fresh process with only them set)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PROBE = (
    "import django; django.setup(); from django.conf import settings as s\n"
    "print(s.BEHIND_PROXY, s.TRUSTED_PROXY_COUNT, ','.join(s.TRUSTED_PROXIES), getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
)


def start(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VERIFICATION_", "PLIVO_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "otpsite.settings", "DJANGO_ENV_FILE": "", "DJANGO_DEBUG": "1", **env})
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_by_default_no_proxy_is_trusted_for_the_header():
    result = start()
    assert result.stdout.split() == ["False", "0", "127.0.0.1,::1", "None"]


def test_behind_proxy_is_one_proxy_on_this_host():
    result = start(DJANGO_BEHIND_PROXY="1")
    assert result.stdout.split()[:3] == ["True", "1", "127.0.0.1,::1"]
    assert "HTTP_X_FORWARDED_PROTO" in result.stdout


def test_a_cdn_and_a_proxy():
    result = start(DJANGO_TRUSTED_PROXY_COUNT="2", DJANGO_TRUSTED_PROXIES="127.0.0.1,198.51.100.0/24")
    assert result.stdout.split()[:3] == ["False", "2", "127.0.0.1,198.51.100.0/24"]
    assert "HTTP_X_FORWARDED_PROTO" in result.stdout


def test_a_trusted_proxy_that_is_not_an_address_is_refused_at_start():
    result = start(DJANGO_BEHIND_PROXY="1", DJANGO_TRUSTED_PROXIES="nginx")
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES: 'nginx' is not an IP address" in result.stderr


def test_a_negative_proxy_count_is_refused_at_start():
    result = start(DJANGO_TRUSTED_PROXY_COUNT="-1")
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXY_COUNT must be 0 or more" in result.stderr
