import pytest

from tests.api.conftest import api, api_key, client_for  # noqa: F401  (fixtures)

MIN_SENDS = 10


@pytest.fixture(autouse=True)
def small_guard(settings):
    """A guard that trips after 10 sends, so the tests stay quick; admins to mail."""
    settings.VERIFICATION_FRAUD_MIN_SENDS = MIN_SENDS
    settings.VERIFICATION_FRAUD_GRACE_SECONDS = 0  # every send judged at once; tests/fraud/test_grace.py has the grace
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def pumped(n, prefix="+1212555"):
    """`n` numbers of one range (all but the last four digits the same)."""
    return [f"{prefix}{100 + i:04d}" for i in range(n)]
