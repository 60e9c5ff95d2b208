"""Whether a number has an account here is nobody's business: the profile's number change and the signup
answer a taken number exactly as a free one, send it nothing, can never complete with it, and are limited
and audited (issue 11, item 3)."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.helpers import code_of
from tests.pages.support import PASSWORD, flow_of, flow_verification, make_user
from verification.contrib.accounts.models import AccountEvent, PhoneProfile
from verification.models import Delivery, VerificationAttempt

pytestmark = pytest.mark.django_db

OWNER = "+14155550123"  # ada's, verified
TAKEN = "+14155550188"  # grace's, verified
FREE = "+14155551188"  # nobody's; masked the same as TAKEN: +1 415 ••• ••88
CHANGE = "/accounts/profile/phone/"
VERIFY = "/accounts/verify/"


def change(client, number, ip="198.51.100.7"):
    return client.post(CHANGE, {"country": "US", "phone_number": number}, REMOTE_ADDR=ip, follow=True)


def normalised(response, number):
    """The page as a person sees it, with what they typed themselves and the CSRF tokens taken out."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r"nonce-[A-Za-z0-9+/=]+|nonce=\"[^\"]+\"", "", body)
    national = number[2:]
    for form in (number, number.replace("+", "%2B"), national):
        body = body.replace(form, "NUMBER")
    return body


def words(response):
    """The page's text, tags out and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


@pytest.fixture
def people(db):
    ada = make_user("ada", number=OWNER)
    grace = make_user("grace", number=TAKEN)
    return ada, grace


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_taken_and_a_free_number_get_the_same_answer_and_the_taken_one_no_code(people):
    ada, grace = people
    taken, free = signed_in(ada), signed_in(ada)
    to_taken, to_free = change(taken, TAKEN), change(free, FREE)

    # The same redirect, the same code page, the same words.
    assert [url for url, _ in to_taken.redirect_chain] == [url for url, _ in to_free.redirect_chain] == [VERIFY]
    assert to_taken.status_code == to_free.status_code == 200
    assert normalised(to_taken, TAKEN) == normalised(to_free, FREE)
    assert "If this number can be used, we sent a code to it." in words(to_taken)
    assert "To confirm your new number: if it can be used, we sent a code by text message to" in words(to_taken)
    # The profile page too.
    assert normalised(taken.get("/accounts/profile/"), TAKEN) == normalised(free.get("/accounts/profile/"), FREE)

    # The free number got its code; the taken one nothing, and its owner's number is untouched.
    assert list(VerificationAttempt.objects.values_list("phone_number", flat=True)) == [FREE]
    assert not Delivery.objects.filter(verification__phone_number=TAKEN).exists()

    # Wrong codes are told alike, tries counted alike.
    for tries_left in (4, 3):
        wrong_taken = taken.post(VERIFY, {"code": "000000"})
        wrong_free = free.post(VERIFY, {"code": "000000"})
        assert f"That code is not right. {tries_left} tries left." in words(wrong_taken)
        assert normalised(wrong_taken, TAKEN) == normalised(wrong_free, FREE)

    # A resend is answered alike, and sends the taken number nothing.
    again_taken = taken.post("/accounts/verify/resend/", {"channel": "sms"}, follow=True)
    again_free = free.post("/accounts/verify/resend/", {"channel": "sms"}, follow=True)
    assert "A code was just sent to this number." in words(again_taken)  # the cooldown, alike
    assert normalised(again_taken, TAKEN) == normalised(again_free, FREE)
    assert VerificationAttempt.objects.filter(phone_number=TAKEN).count() == 0

    # The taken number's step can never succeed: not even grace's own real code works there.
    make_login = Client()
    make_login.post("/accounts/login/", {"username": "grace", "password": PASSWORD})
    graces_code = code_of(flow_verification(make_login))
    refused = taken.post(VERIFY, {"code": graces_code})
    assert "That code is not right." in words(refused)
    ada.phone_profile.refresh_from_db()
    grace.phone_profile.refresh_from_db()
    assert str(ada.phone_profile.phone_number) == OWNER and str(grace.phone_profile.phone_number) == TAKEN
    assert flow_verification(make_login).status == "pending"  # grace's sign-in code was not superseded


def test_number_changes_are_limited_per_account(people):
    ada, _ = people
    client = signed_in(ada)
    for number in (TAKEN, FREE, "+14155551101", "+14155551102", "+14155551103"):
        client.post("/accounts/verify/cancel/")
        assert change(client, number).redirect_chain[-1][0] == VERIFY
    refused = change(client, "+14155551104")
    assert refused.redirect_chain == []
    assert "Too many number changes for this account. Please try again in 60 minutes." in words(refused)
    # From another address too: the limit is the account's.
    elsewhere = change(client, TAKEN, ip="203.0.113.99")
    assert "Too many number changes for this account." in words(elsewhere)


def test_number_changes_are_limited_per_address(people, settings):
    settings.ACCOUNTS_PHONE_CHANGES_PER_IP = 3
    ada, grace = people
    others = [make_user(f"user{i}", number=f"+1415555120{i}") for i in range(3)]
    for i, user in enumerate([ada, grace, others[0]]):
        assert change(signed_in(user), f"+1415555130{i}").redirect_chain[-1][0] == VERIFY
    refused = change(signed_in(others[1]), TAKEN)
    assert "Too many number changes from this address. Please try again in 60 minutes." in words(refused)
    assert change(signed_in(others[1]), TAKEN, ip="203.0.113.99").redirect_chain[-1][0] == VERIFY


def test_every_number_change_attempt_is_audited(people, settings):
    settings.ACCOUNTS_PHONE_CHANGES_PER_USER = 3
    ada, _ = people
    client = signed_in(ada)
    change(client, TAKEN)
    change(client, FREE)
    client.post(CHANGE, {"country": "US", "phone_number": "12"}, REMOTE_ADDR="198.51.100.7")
    change(client, TAKEN)  # the fourth: throttled

    events = list(AccountEvent.objects.order_by("created_at", "id"))
    assert [(e.event, e.outcome) for e in events] == [
        ("phone_change", "withheld"),
        ("phone_change", "code_sent"),
        ("phone_change", "invalid"),
        ("phone_change", "throttled"),
    ]
    assert {(e.account_id, e.actor, e.ip) for e in events} == {(ada.pk, "ada", "198.51.100.7")}
    withheld, sent = events[0], events[1]
    assert (withheld.phone_masked, sent.phone_masked) == ("+1 415 ••• 0188", "+1 415 ••• 1188")  # as the admin masks
    assert withheld.phone_digest and withheld.phone_digest != sent.phone_digest  # probes of one number line up
    assert withheld.verification_id is None  # nothing was started for it
    assert sent.verification_id == VerificationAttempt.objects.get(phone_number=FREE).id
    assert TAKEN not in str([vars(e) for e in events]) and FREE not in str([vars(e) for e in events])
    # The verifications' own trail names ada on the code that did go out.
    created = VerificationAttempt.objects.get(phone_number=FREE).audit_events.get(event="created")
    assert (created.actor_type, created.actor, created.ip) == ("user", "ada", "198.51.100.7")


def signup(client, number, username):
    return client.post(
        "/accounts/signup/",
        {"username": username, "password": PASSWORD, "country": "US", "phone_number": number, "channel": "sms"},
        follow=True,
    )


def test_a_signup_with_a_taken_number_is_answered_as_one_with_a_free_number_and_cannot_complete(people):
    to_taken, to_free = signup(Client(), TAKEN, "mallory"), signup(Client(), FREE, "mallorz")
    assert [url for url, _ in to_taken.redirect_chain] == [url for url, _ in to_free.redirect_chain] == [VERIFY]
    assert normalised(to_taken, TAKEN).replace("mallory", "U") == normalised(to_free, FREE).replace("mallorz", "U")
    assert "To confirm this number: if it can be used, we sent a code by text message to" in words(to_taken)
    assert list(VerificationAttempt.objects.values_list("phone_number", flat=True)) == [FREE]
    event = AccountEvent.objects.get()
    assert (event.event, event.outcome, event.actor) == ("signup", "withheld", "mallory")
    mallory = get_user_model().objects.get(username="mallory")
    assert not mallory.is_active and not mallory.phone_profile.phone_verified


def test_signing_in_to_a_signup_whose_number_is_taken_is_the_same_code_step_and_sends_nothing(people):
    make_user("mallory", number=TAKEN, verified=False)
    client = Client()
    response = client.post("/accounts/login/", {"username": "mallory", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == VERIFY
    assert "if it can be used, we sent a code by text message to +1 415 ••• ••88." in words(response)
    assert flow_of(client)["withheld"] is not None
    assert not VerificationAttempt.objects.exists()
    for _ in range(5):
        client.post(VERIFY, {"code": "123456"})
    locked = words(client.get(VERIFY))
    assert "Too many wrong codes: this code is locked." in locked
    assert not PhoneProfile.objects.get(user__username="mallory").phone_verified
