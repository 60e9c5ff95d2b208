"""Test settings: the project's own settings, read from a test environment.

Every value can still be overridden from the real environment (CI, a
developer's machine); the defaults point at the local PostgreSQL and Redis.
"""

import os

# The suite's environment; tests that start a site process of their own leave it out.
TEST_ENVIRONMENT = {
    "DJANGO_ENV_FILE": "",  # never read a developer's .env in tests
    "DJANGO_DEBUG": "1",  # the sandbox carrier (pytest-django still runs views with DEBUG off)
    "DJANGO_SECRET_KEY": "test-secret-key-for-the-suite-only",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/otpsite",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "CACHE_KEY_PREFIX": "otpsite-test",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    "CELERY_TASK_ALWAYS_EAGER": "1",  # the `celery_worker` fixture turns this off
    "PUBLIC_BASE_URL": "http://testserver",
    "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "VERIFICATION_DELIVERY_RETRY_BACKOFF_SECONDS": "0.05",
    "VERIFICATION_DELIVERY_RETRY_BACKOFF_MAX_SECONDS": "0.2",
    "VERIFICATION_CARRIER_CALLS_PER_SECOND": "100",  # tests that pace calls set their own
    "VERIFICATION_FALLBACK_AFTER_SECONDS": "3600",  # eager timers never fire mid-suite; workflow tests set their own
    # The suite's own threads (thread pools, the live server's) close their connections after
    # each request, so the test database can be dropped; site processes keep the default.
    "DJANGO_CONN_MAX_AGE": "0",
}
for name, value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(name, value)

from otpsite.settings import *

INSTALLED_APPS = [*INSTALLED_APPS, "django_otp", "verification.contrib.otp"]  # noqa: F405 (the django-otp device, issue 16)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast users in tests
