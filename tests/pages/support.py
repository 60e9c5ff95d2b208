"""Accounts in each state and the code step in the session, for the page and browser tests."""

from django.contrib.auth import get_user_model

from verification.contrib.accounts.flow import SESSION_KEY
from verification.contrib.accounts.models import PhoneProfile
from verification.models import VerificationAttempt

PASSWORD = "correct horse battery staple"
NUMBER = "+14155550123"


def make_user(username="ada", *, number=NUMBER, verified=True, channel="sms", password=PASSWORD):
    user = get_user_model().objects.create_user(username=username, password=password, is_active=verified)
    PhoneProfile.objects.create(user=user, phone_number=number, phone_verified=verified, preferred_channel=channel)
    return user


def login_password(client, username="ada", password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def flow_of(client):
    return client.session.get(SESSION_KEY)


def flow_verification(client):
    return VerificationAttempt.objects.get(pk=flow_of(client)["verification_id"])
