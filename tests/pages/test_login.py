"""/accounts/login/: the password, then a code to the verified number by the preferred channel."""

import html

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from tests.helpers import code_of
from tests.pages.support import (
    PASSWORD,
    flow_of,
    flow_verification,
    login_password,
    make_user,
)
from verification.contrib.accounts.models import PhoneProfile
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db

WRONG = "The username or the password is not right."


def from_address(client, ip, **data):
    return client.post("/accounts/login/", {"username": "ada", "password": PASSWORD, **data}, REMOTE_ADDR=ip)


def text(response):
    return html.unescape(response.content.decode())


def without_csrf(response):
    return response.content.decode().split('name="csrfmiddlewaretoken"')[0]


def test_a_right_password_sends_a_code_by_the_preferred_channel_and_does_not_sign_in_yet(client, db):
    make_user("ada", channel="call")
    response = login_password(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    verification = flow_verification(client)
    assert (str(verification.phone_number), verification.channel) == ("+14155550123", "call")
    assert [d.channel for d in verification.deliveries.all()] == ["call"]
    assert "_auth_user_id" not in client.session


def test_the_audit_trail_names_the_user_and_their_address(client, user):
    login_password(client)
    event = flow_verification(client).audit_events.get(event="created")
    assert (event.actor_type, event.actor, event.ip) == ("user", "ada", "127.0.0.1")


def test_a_wrong_password_and_an_unknown_user_look_the_same(client, user):
    wrong_password = login_password(client, password="not the password")
    unknown_user = login_password(client, username="nobody")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert WRONG in wrong_password.content.decode()
    assert without_csrf(wrong_password).replace("ada", "nobody") == without_csrf(unknown_user)
    assert flow_of(client) is None


def test_a_wrong_password_for_an_unfinished_signup_and_an_unknown_user_look_the_same(client, db):
    make_user("ada", verified=False)
    wrong_password = login_password(client, password="not the password")
    unknown_user = login_password(client, username="nobody")
    assert WRONG in wrong_password.content.decode()
    assert without_csrf(wrong_password).replace("ada", "nobody") == without_csrf(unknown_user)
    assert flow_of(client) is None


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("ada", PASSWORD),
        ("ada", "wrong"),
        ("nobody", "wrong"),
        ("eve", PASSWORD),  # an unfinished signup
        ("eve", "wrong"),
        ("bob", PASSWORD),  # deactivated by an admin
    ],
)
def test_every_sign_in_hashes_the_password_exactly_once(client, db, monkeypatch, username, password):
    """So the time a sign-in takes tells neither whether the user exists nor whether it is an unfinished signup."""
    make_user("ada")
    make_user("eve", number="+14155550124", verified=False)
    bob = make_user("bob", number="+14155550125")
    bob.is_active = False
    bob.save()
    hashes = []
    encode = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *args: hashes.append(1) or encode(self, *args))
    login_password(client, username=username, password=password)
    assert len(hashes) == 1


def test_failed_logins_are_throttled_per_username_and_address_with_the_wait(client, user, settings):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME_AND_IP = 3
    for _ in range(3):
        login_password(client, password="wrong")
    response = login_password(client)  # even the right password waits, from this address
    body = response.content.decode()
    assert "Too many sign-in attempts for this username from this address. Please try again in 15 minutes." in body
    assert flow_of(client) is None


def test_failures_from_one_address_do_not_lock_the_owner_out_at_another(client, user, settings):
    for _ in range(5):
        from_address(client, "203.0.113.66", password="wrong")
    assert "Too many sign-in attempts" in from_address(client, "203.0.113.66").content.decode()
    assert from_address(client, "198.51.100.1")["Location"] == "/accounts/verify/"


def test_failed_logins_for_a_username_are_bounded_across_addresses_too(client, user, settings):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME = 3
    for last in (1, 2, 3):
        from_address(client, f"203.0.113.{last}", password="wrong")
    body = from_address(client, "198.51.100.1").content.decode()
    assert "Too many sign-in attempts for this username. Please try again in 15 minutes." in body


def test_failed_logins_are_throttled_per_address_across_usernames(client, user, settings):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_IP = 3
    for name in ("a", "b", "c"):
        login_password(client, username=name, password="wrong")
    response = login_password(client)
    assert "Too many sign-in attempts from this address." in response.content.decode()


def test_the_throttle_lifts_when_its_window_has_passed(client, user, settings, clock):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME_AND_IP = 1
    login_password(client, password="wrong")
    assert "Too many sign-in attempts" in login_password(client).content.decode()
    clock.advance(901)
    assert login_password(client).status_code == 302


@pytest.mark.parametrize(
    "setting", ["ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME_AND_IP", "ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME"]
)
def test_a_right_password_clears_the_usernames_failures(client, user, settings, setting):
    setattr(settings, setting, 2)
    login_password(client, password="wrong")
    assert login_password(client).status_code == 302
    client.session.flush()
    login_password(client, password="wrong")
    assert WRONG in login_password(client, password="wrong").content.decode()


def test_behind_the_proxy_the_address_is_the_one_the_proxy_forwarded(client, user, settings):
    settings.BEHIND_PROXY = True
    headers = {"X-Forwarded-For": "10.9.9.9, 203.0.113.7"}  # the left one is the client's to forge
    client.post("/accounts/login/", {"username": "ada", "password": PASSWORD}, headers=headers)
    event = flow_verification(client).audit_events.get(event="created")
    assert event.ip == "203.0.113.7"


def test_an_unfinished_signup_signs_in_by_verifying_its_number_first(client, db):
    make_user("ada", verified=False)
    response = login_password(client)
    assert response.status_code == 302
    assert flow_of(client)["purpose"] == "signup"
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_sign_in(client, db):
    user = make_user("ada")
    user.is_active = False
    user.save()
    assert WRONG in login_password(client).content.decode()


def test_an_unfinished_signup_whose_number_another_account_verified_gets_no_code(client, db):
    make_user("mallory", verified=False)  # signed up first with the number, never verified it
    make_user("ada")  # the number's owner
    response = login_password(client, username="mallory")
    # The code step as for any signup (nothing says the number is taken), with no code behind it.
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    assert not VerificationAttempt.objects.exists() and flow_of(client)["withheld"] is not None


def test_an_account_without_a_phone_is_told_so(client, django_user_model):
    django_user_model.objects.create_user(username="admin", password=PASSWORD)
    response = login_password(client, username="admin")
    assert "This account has no phone number yet" in text(response)
    assert "python manage.py set_phone admin +14155550123" in text(response)
    assert "_auth_user_id" not in client.session


def test_signing_in_again_while_the_code_is_on_its_way_keeps_that_code(client, at_code_step):
    response = login_password(client)
    assert response.status_code == 302
    assert flow_verification(client).pk == at_code_step.pk


@pytest.mark.parametrize(
    ("next_url", "kept"),
    [
        ("/accounts/profile/?tab=1", "/accounts/profile/?tab=1"),
        ("https://evil.example/", ""),
        ("//evil.example/", ""),
        ("profile", ""),  # a URL name, not a path
        ("accounts:profile", ""),
    ],
)
def test_only_a_path_on_this_site_is_kept_as_next(client, user, next_url, kept):
    login_password(client, next=next_url)
    assert flow_of(client)["next_url"] == kept


def test_a_next_without_a_leading_slash_ends_on_the_profile(client, user):
    assert 'name="next" value="profile"' not in client.get("/accounts/login/?next=profile").content.decode()
    login_password(client, next="profile")
    response = client.post("/accounts/verify/", {"code": code_of(flow_verification(client))})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"


def test_an_sms_to_a_fixed_line_is_told_on_the_form(client, db):
    make_user("ada", number="+442079460000", channel="sms")
    response = login_password(client)
    assert "fixed line" in response.content.decode() and flow_of(client) is None


def test_a_stored_number_that_is_not_valid_is_told_on_the_form(client, user):
    PhoneProfile.objects.filter(user=user).update(phone_number="+1415555")
    response = login_password(client)
    assert response.status_code == 200
    assert "We cannot send a code to this account's number: This is not a valid phone number." in text(response)


def test_a_number_from_a_country_no_longer_allowed_is_told_on_the_form(client, user, settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["GB"]
    response = login_password(client)
    assert response.status_code == 200
    body = text(response)
    assert "We cannot send a code to this account's number: Phone numbers from United States are not accepted." in body
    assert 'role="alert"' in body and flow_of(client) is None


def test_a_signed_in_user_is_sent_to_the_profile(client, user):
    client.force_login(user)
    assert client.get("/accounts/login/")["Location"] == "/accounts/profile/"
    assert client.get("/accounts/signup/")["Location"] == "/accounts/profile/"


def test_sign_out_is_a_post_and_signs_out(client, user):
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
