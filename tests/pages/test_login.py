"""/accounts/login/: the password, then a code to the verified number by the preferred channel."""

import pytest

from tests.pages.support import PASSWORD, flow_of, flow_verification, login_password, make_user

pytestmark = pytest.mark.django_db

WRONG = "The username or the password is not right."


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
    strip = lambda r: r.content.decode().split('name="csrfmiddlewaretoken"')[0]  # noqa: E731
    assert strip(wrong_password).replace("ada", "nobody") == strip(unknown_user)
    assert flow_of(client) is None


def test_failed_logins_are_throttled_per_username_with_the_wait(client, user, settings):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME = 3
    for _ in range(3):
        login_password(client, password="wrong")
    response = login_password(client)  # even the right password waits
    body = response.content.decode()
    assert "Too many sign-in attempts for this username. Please try again in 15 minutes." in body
    assert flow_of(client) is None


def test_failed_logins_are_throttled_per_address_across_usernames(client, user, settings):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_IP = 3
    for name in ("a", "b", "c"):
        login_password(client, username=name, password="wrong")
    response = login_password(client)
    assert "Too many sign-in attempts from this address." in response.content.decode()


def test_the_throttle_lifts_when_its_window_has_passed(client, user, settings, clock):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME = 1
    login_password(client, password="wrong")
    assert "Too many sign-in attempts" in login_password(client).content.decode()
    clock.advance(901)
    assert login_password(client).status_code == 302


def test_a_right_password_clears_the_usernames_failures(client, user, settings):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME = 2
    login_password(client, password="wrong")
    assert login_password(client).status_code == 302
    client.session.flush()
    login_password(client, password="wrong")
    assert WRONG in login_password(client, password="wrong").content.decode()


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


def test_an_account_without_a_phone_is_told_so(client, django_user_model):
    django_user_model.objects.create_user(username="admin", password=PASSWORD)
    response = login_password(client, username="admin")
    assert "This account has no phone number to send a code to." in response.content.decode()


def test_a_code_just_sent_to_the_number_says_how_long_to_wait(client, user, clock):
    from verification import services

    services.verification_create(phone_number="+14155550123", channel="sms")
    response = login_password(client)
    assert "A code was just sent to this number. Please try again in 30 seconds." in response.content.decode()


def test_signing_in_again_while_the_code_is_on_its_way_keeps_that_code(client, at_code_step):
    response = login_password(client)
    assert response.status_code == 302
    assert flow_verification(client).pk == at_code_step.pk


def test_a_safe_next_is_kept_and_an_offsite_one_dropped(client, user, clock):
    login_password(client, next="/accounts/profile/?tab=1")
    assert flow_of(client)["next_url"] == "/accounts/profile/?tab=1"
    client.session.flush()
    clock.advance(31)
    login_password(client, next="https://evil.example/")
    assert flow_of(client)["next_url"] == ""


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
