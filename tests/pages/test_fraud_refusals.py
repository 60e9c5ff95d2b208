"""The pages say each fraud-guard refusal plainly, and send nothing."""

import pytest

from tests.pages.test_signup import SIGNUP, field_error, signup
from verification.contrib.sandbox.models import InboxEntry
from verification.models import Delivery, VerificationAttempt

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("country,number", [("US", "900 234 5670"), ("GB", "0901 234 5678"), ("FR", "08 91 12 34 56")])
def test_signup_with_a_premium_rate_number_is_refused_plainly(client, country, number):
    response = signup(client, country=country, phone_number=number)
    assert response.status_code == 200
    assert "Codes cannot be sent to this kind of number" in field_error(response, "phone_number")
    assert not VerificationAttempt.objects.exists() and not InboxEntry.objects.exists()


def test_signup_to_a_country_over_its_cap_says_so_with_the_wait(client, settings):
    settings.VERIFICATION_MAX_SENDS_PER_COUNTRY_PER_HOUR = 1
    assert signup(client, username="first", phone_number="415 555 0101").status_code == 302
    client.cookies.clear()
    response = signup(client, username="second", phone_number="415 555 0102")
    body = response.content.decode()
    assert "Too many codes were sent to this country just now." in body
    assert "minutes" in body  # the wait, in words
    assert VerificationAttempt.objects.count() == 1
    assert client.get(SIGNUP).status_code == 200


def test_signup_to_a_range_the_guard_blocked_is_refused_plainly(client, settings):
    from verification import services

    settings.VERIFICATION_FRAUD_MIN_SENDS = 3
    settings.VERIFICATION_FRAUD_GRACE_SECONDS = 0  # judged at once: the grace is tests/fraud/test_grace.py's
    for n in range(3):  # three codes to one range, none confirmed
        services.verification_create(phone_number=f"+1415555{7000 + n:04d}", channel="sms")
    response = signup(client, phone_number="415 555 7050")
    assert response.status_code == 200
    assert "Codes cannot be sent to this phone number just now." in response.content.decode()
    assert VerificationAttempt.objects.count() == 3


def test_pumping_through_the_signup_page_from_many_addresses_is_cut_off(client, settings):
    """40 signups to one range from 40 addresses, nobody confirming: the guard stops the sends."""
    settings.VERIFICATION_FRAUD_MIN_SENDS = 10
    settings.VERIFICATION_FRAUD_GRACE_SECONDS = 0  # judged at once: the grace is tests/fraud/test_grace.py's
    refused = 0
    for n in range(40):
        client.cookies.clear()
        response = client.post(
            SIGNUP,
            {"username": f"bot{n}", "password": "correct horse battery staple", "country": "US",
             "phone_number": f"415 555 {8000 + n:04d}", "channel": "sms"},
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )  # fmt: skip
        if response.status_code == 200 and "Codes cannot be sent to this phone number just now." in response.content.decode():
            refused += 1
    sent = Delivery.objects.filter(verification__phone_number__startswith="+1415555").count()
    assert sent <= 10 + 2
    assert refused >= 40 - 12
