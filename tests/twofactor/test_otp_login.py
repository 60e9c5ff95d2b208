"""A django-otp site signs a user in with PhoneVerificationDevice: password, a call through
the sandbox, the code it read out, and the page that needs a verified user."""

import pytest
from django.contrib.auth.models import User

from tests.helpers import inbox, spoken_code
from verification.contrib.otp.models import PhoneVerificationDevice
from verification.contrib.sandbox import simulator
from verification.models import Status, VerificationAttempt

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+14155550123"


@pytest.fixture
def otp_site(settings, live_site):
    settings.ROOT_URLCONF = "tests.twofactor.otp_site"
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django_otp.middleware.OTPMiddleware"]
    settings.OTP_LOGIN_URL = "/otp/login/"
    return live_site


@pytest.fixture
def device():
    user = User.objects.create_user("alice", password="correct horse")
    return PhoneVerificationDevice.objects.create(user=user, name="my phone", phone_number=NUMBER, channel="call")


def test_a_user_signs_in_with_the_code_the_call_read_out(otp_site, client, device):
    assert client.get("/otp/private/").status_code == 302  # not verified: off to the login page
    credentials = {"username": "alice", "password": "correct horse", "otp_device": device.persistent_id}

    asked = client.post("/otp/login/", {**credentials, "otp_challenge": "1"})
    assert "OTP Challenge: We are calling your phone now." in asked.text
    simulator.wait_until_idle(timeout=15)
    [call] = inbox(otp_site, NUMBER)
    code = spoken_code(call["text"])

    wrong = client.post("/otp/login/", {**credentials, "otp_token": code[::-1] if code[::-1] != code else "000000"})
    assert "Invalid token" in wrong.text
    signed_in = client.post("/otp/login/?next=/otp/private/", {**credentials, "otp_token": code})
    assert signed_in.status_code == 302
    assert client.get(signed_in.url).text == "Signed in as alice with my phone."
    device.refresh_from_db()
    verification = VerificationAttempt.objects.get(pk=device.verification_id)
    assert (verification.status, verification.failed_checks) == (Status.APPROVED, 1)


def test_a_refusal_is_shown_on_the_login_form(otp_site, client, device):
    credentials = {"username": "alice", "password": "correct horse", "otp_device": device.persistent_id}
    client.post("/otp/login/", {**credentials, "otp_challenge": "1"})
    again = client.post("/otp/login/", {**credentials, "otp_challenge": "1"})
    assert "Error generating challenge: A code was just sent to this number. Try again in" in again.text
    simulator.wait_until_idle(timeout=15)
    assert len(inbox(otp_site, NUMBER)) == 1
