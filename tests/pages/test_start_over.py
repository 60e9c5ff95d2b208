"""Starting over and signing in right after another code: the cooldown holds, and the person is never bounced."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.helpers import code_of
from tests.pages.support import PASSWORD, flow_of, flow_verification, login_password, make_user
from verification import services
from verification.contrib.accounts.models import AccountEvent
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/verify/"


def words(response):
    """The page's text as a person reads it: tags gone, spaces squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def signup(client, username="grace"):
    data = {"username": username, "password": PASSWORD, "country": "US", "phone_number": "415 555 0123"}
    return client.post("/accounts/signup/", {**data, "channel": "sms"})


def test_cancel_during_signup_lands_on_the_signup_page_saying_what_happened(client, db):
    signup(client)
    response = client.post("/accounts/verify/cancel/", follow=True)
    assert response.redirect_chain == [("/accounts/signup/", 302)]
    assert "You canceled the signup: its code no longer works and the account was not kept." in words(response)
    assert not get_user_model().objects.filter(username="grace").exists()
    assert VerificationAttempt.objects.get().status == "canceled"
    assert AccountEvent.objects.filter(event="signup", outcome="canceled").count() == 1


def test_cancel_during_sign_in_lands_on_the_sign_in_page_saying_so(client, user):
    login_password(client)
    response = client.post("/accounts/verify/cancel/", follow=True)
    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert "You canceled the sign-in: its code no longer works." in words(response)
    assert get_user_model().objects.filter(username="ada", is_active=True).exists()  # a real account stays


def test_starting_over_right_after_cancel_waits_for_the_cooldown_then_sends_the_code(client, db, clock):
    signup(client)
    client.post("/accounts/verify/cancel/")
    response = signup(client)  # the same username and number, seconds later
    assert response["Location"] == VERIFY
    page = words(client.get(VERIFY))
    assert "Your code goes out in a moment" in page and "We can send your code in 30 seconds." in page
    assert "Enter your code" not in page and VerificationAttempt.objects.count() == 1  # nothing sent sooner
    clock.advance(30)
    sent = client.post("/accounts/verify/restart/", {"channel": "sms"}, follow=True)
    assert "Your code is on its way by text message." in words(sent) and "Enter your code" in words(sent)
    done = client.post(VERIFY, {"code": code_of(flow_verification(client))}, follow=True)
    assert "Your phone number is verified. Welcome!" in words(done)
    assert get_user_model().objects.get(username="grace").is_active


def test_a_sign_in_right_after_the_signup_code_goes_on_to_the_code_step(client, db, clock):
    signup(client)
    client.post(VERIFY, {"code": code_of(flow_verification(client))})
    client.post("/accounts/logout/")
    clock.advance(10)
    response = login_password(client, username="grace")
    # Not refused on the sign-in form (the password is not cleared): on to the code step, which waits.
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert "We can send your code in 20 seconds." in words(client.get(VERIFY))


def test_the_deferred_code_is_still_held_back_by_the_cooldown(client, user, clock):
    services.verification_create(phone_number="+14155550123", channel="sms")
    login_password(client)
    early = client.post("/accounts/verify/restart/", {"channel": "sms"}, follow=True)
    assert "A code was just sent to this number. Please try again in 30 seconds." in words(early)
    assert VerificationAttempt.objects.count() == 1 and flow_of(client)["verification_id"] == ""
    clock.advance(30)
    client.post("/accounts/verify/restart/", {"channel": "sms"})
    assert VerificationAttempt.objects.count() == 2
    response = client.post(VERIFY, {"code": code_of(flow_verification(client))})
    assert response["Location"] == "/accounts/profile/"


def test_other_limits_still_refuse_on_the_sign_in_form_and_keep_the_username(client, user, settings, clock):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 1
    services.verification_create(phone_number="+14155550123", channel="sms")
    clock.advance(31)  # past the cooldown: the hourly cap is what is full
    response = login_password(client)
    assert response.status_code == 200 and flow_of(client) is None
    assert "Too many codes were sent to this number in the last hour." in words(response)
    assert 'value="ada"' in response.content.decode()


def test_a_taken_number_and_a_free_one_wait_alike(db, clock):
    make_user("ada", number="+14155550123")  # the taken number's owner
    services.verification_create(phone_number="+14155550123", channel="sms")  # the owner's own code
    services.verification_create(phone_number="+14155550124", channel="sms")  # someone's, to a free number
    pages = []
    for username, number in (("grace", "415 555 0123"), ("heidi", "415 555 0124")):
        client = Client()
        data = {"username": username, "password": PASSWORD, "country": "US", "phone_number": number}
        assert client.post("/accounts/signup/", {**data, "channel": "sms"})["Location"] == VERIFY
        pages.append(words(client.get(VERIFY)).replace(number[-2:], "NN"))
    assert pages[0] == pages[1] and "We can send your code in 30 seconds." in pages[0]
    assert VerificationAttempt.objects.count() == 2  # nothing sent to either yet
