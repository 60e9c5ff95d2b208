"""This repository's settings plus django-two-factor-auth, as another site would add it:
its apps, django-otp's middleware, our gateway for calls and text messages, and our app
that ends a relayed verification once two_factor accepted its token.

Run as its own server process (tests/twofactor/test_two_factor_site.py), on its own
SQLite file, with eager tasks and the sandbox carrier.
"""

from pathlib import Path

from otpsite.settings import *  # noqa: F403

INSTALLED_APPS = [
    *INSTALLED_APPS,  # noqa: F405
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "two_factor.plugins.phonenumber",
    "verification.contrib.two_factor",
]
MIDDLEWARE = [
    *MIDDLEWARE,  # noqa: F405
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
ROOT_URLCONF = "tests.two_factor_site.urls"
TEMPLATES[0]["DIRS"] = [Path(__file__).resolve().parent / "templates", *TEMPLATES[0]["DIRS"]]  # noqa: F405

TWO_FACTOR_CALL_GATEWAY = "verification.contrib.two_factor.gateway.PhoneVerificationGateway"
TWO_FACTOR_SMS_GATEWAY = "verification.contrib.two_factor.gateway.PhoneVerificationGateway"
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "signed-in"
