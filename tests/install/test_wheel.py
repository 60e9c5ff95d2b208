"""The distribution: a wheel built from this checkout, installed into a fresh venv, is a
Django app another site adds to INSTALLED_APPS: it checks, migrates, finds its templates,
static files and catalogues, and answers its API.

Nothing is downloaded: the wheel installs without its dependencies, and the fresh venv
sees the dependencies already installed for the suite through a .pth file, never this
checkout's source (the site runs from a directory of its own).
"""

import shutil
import site
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

OTHER_SITE_SETTINGS = """
SECRET_KEY = "another-site-" + "x" * 40
DEBUG = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
ROOT_URLCONF = "othersite_urls"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "phonenumber_field",
    "verification",
    "verification.contrib.sandbox.apps.SandboxConfig",  # to try the integration without a Plivo account
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "other.sqlite3"}}
USE_TZ = True
STATIC_URL = "/static/"
REST_FRAMEWORK = {"EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler"}
CELERY_TASK_ALWAYS_EAGER = True
VERIFICATION_FRAUD_GUARD = False
"""

OTHER_SITE_URLS = """
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/verification/", include("verification.admin_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("verification.api.urls")),
    path("sandbox/", include("verification.contrib.sandbox.urls")),
    path("", include("verification.urls")),
]
"""

PROBE = """
import django, json, os, pathlib
django.setup()
import verification
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.test import Client
from django.utils import translation
from django.contrib.auth.models import User
from rest_framework_api_key.models import APIKey
from verification import ratelimit
from verification.admin_rate_limits import window_token

admin = Client()
admin.force_login(User.objects.create_superuser("admin", "admin@example.com", "x"))
rule = ratelimit.Rule("send-number", "+14155550123", limit=1, window=60)
ratelimit.hit([rule])

print(json.dumps({
    "package": str(pathlib.Path(verification.__file__).resolve()),
    "template": get_template("sandbox/phone.html").origin.name,
    "static": finders.find("verification/dashboard.js"),
    "healthz": Client().get("/healthz").status_code,
    "rate_limits": admin.get("/admin/verification/rate-limits/").status_code,
    "unblock": admin.post("/admin/verification/rate-limits/", {"name": "send-number", "window": window_token("+14155550123")}).status_code,
    "unblock_logged": __import__("django.contrib.admin.models").contrib.admin.models.LogEntry.objects.count(),
    "sandbox_phone": (lambda r: [r.status_code, "Sandbox phone" in r.content.decode()])(Client().get("/sandbox/phone/")),
    "readyz": Client().get("/readyz").json(),
    "schema": (lambda r: [r.status_code, r.json()["info"]["title"] if r.status_code == 200 else r.content[:300].decode()])(
        Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")),
    "docs": (lambda r: [r.status_code, "drf_spectacular_sidecar/swagger-ui-dist/" in r.content.decode()])(Client().get("/api/v1/docs/")),
    "unauthenticated": Client().post("/api/v1/verifications", {}, content_type="application/json").status_code,
    "bad_number": Client(HTTP_AUTHORIZATION="Api-Key " + APIKey.objects.create_key(name="other")[1]).post(
        "/api/v1/verifications", {"phone_number": "not a number", "channel": "sms"}, content_type="application/json"
    ).json(),
}))
"""


def run(*args, cwd, env=None):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built from a copy of the package (the checkout gets no build/ or egg-info)."""
    source = tmp_path_factory.mktemp("source")
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copy(ROOT / "README.md", source)
    shutil.copytree(ROOT / "verification", source / "verification", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(out), cwd=source)
    [built] = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory, wheel):
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", str(venv), cwd=venv)
    python = venv / "bin" / "python"
    run(str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel), cwd=venv)
    # The dependencies, offline: the suite's own site-packages, after the venv's own.
    purelib = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=venv).strip()
    dependencies = [path for path in {*site.getsitepackages(), sysconfig.get_paths()["purelib"]} if "site-packages" in path]
    Path(purelib, "suite_dependencies.pth").write_text("\n".join(dependencies) + "\n")
    return python


def test_the_wheel_carries_the_app_and_not_the_deployment(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "verification/apps.py",
        "verification/migrations/0001_initial.py",
        "verification/contrib/sandbox/templates/sandbox/phone.html",
        "verification/contrib/accounts/templates/accounts/signup.html",
        "verification/templates/verification/base.html",
        "verification/locale/de/LC_MESSAGES/django.mo",
        "verification/static/verification/dashboard.js",
        "verification/contrib/otp/migrations/0001_initial.py",
        "verification/contrib/two_factor/gateway.py",
    ):
        assert needed in names
    assert not [name for name in names if name.split("/")[0] in ("otpsite", "tests", "bench")]


def test_another_site_installs_it_from_the_wheel_checks_migrates_and_serves_its_api(fresh_venv, tmp_path):
    (tmp_path / "othersite_settings.py").write_text(OTHER_SITE_SETTINGS)
    (tmp_path / "othersite_urls.py").write_text(OTHER_SITE_URLS)
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "othersite_settings", "PYTHONPATH": str(tmp_path)}
    django_admin = [str(fresh_venv), "-m", "django"]
    assert "System check identified no issues" in run(*django_admin, "check", cwd=tmp_path, env=env)
    migrated = run(*django_admin, "migrate", "--noinput", cwd=tmp_path, env=env)
    assert "Applying verification.0001_initial... OK" in migrated
    import json

    probe = json.loads(run(str(fresh_venv), "-c", textwrap.dedent(PROBE), cwd=tmp_path, env=env).strip().splitlines()[-1])
    venv_root = str(fresh_venv.parent.parent)
    assert probe["package"].startswith(venv_root)  # the installed copy, not this checkout
    assert probe["template"].startswith(venv_root) and probe["static"].startswith(venv_root)
    assert (probe["healthz"], probe["unauthenticated"]) == (200, 401)
    assert (probe["rate_limits"], probe["unblock"], probe["unblock_logged"]) == (200, 302, 1)  # no accounts app: the admin's log alone
    assert probe["sandbox_phone"] == [200, True]  # the sandbox's page stands without the accounts app
    assert probe["bad_number"]["errors"][0]["attr"] == "phone_number"
    # No REDIS_URL of ours, DRF's own schema class, no SPECTACULAR_SETTINGS: all as a site has them.
    assert (probe["readyz"]["status"], probe["readyz"]["database"], probe["readyz"]["redis"]) == ("ok", "ok", "not configured")
    assert probe["schema"] == [200, "otpsite verification API"]
    assert probe["docs"] == [200, True]  # Swagger UI from the sidecar's static files, not a CDN


def test_a_broken_setting_in_another_site_is_reported_by_manage_py_check(fresh_venv, tmp_path):
    (tmp_path / "othersite_settings.py").write_text(OTHER_SITE_SETTINGS + '\nVERIFICATION_CARRIER = "twilio"\n')
    (tmp_path / "othersite_urls.py").write_text(OTHER_SITE_URLS)
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "othersite_settings", "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([str(fresh_venv), "-m", "django", "check"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "verification.E001" in result.stderr and "VERIFICATION_CARRIER must be one of sandbox, plivo." in result.stderr
