"""/accounts/signup/: an account with a phone number that must be verified before it can sign in."""

import pytest
from django.contrib.auth import get_user_model

from tests.pages.support import PASSWORD, flow_of, flow_verification
from verification.accounts.models import PhoneProfile

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def signup(client, **changes):
    data = {"username": "grace", "password": PASSWORD, "country": "US", "phone_number": "415 555 0123"}
    return client.post(SIGNUP, {**data, "channel": "sms", **changes})


def field_error(response, name):
    """The error tied to a field: its id is in the field's aria-describedby."""
    body = response.content.decode()
    described = (f'aria-describedby="id_{name}_helptext id_{name}_error"', f'aria-describedby="id_{name}_error"')
    assert any(attribute in body for attribute in described)
    start = body.index(f'id="id_{name}_error"')
    return body[start : body.index("</div>", start)]


@pytest.mark.parametrize(
    ("accept_language", "region"),
    [("fr-CA,fr;q=0.9", "CA"), ("de", "DE"), ("en-GB,en;q=0.8", "GB"), ("", "US"), ("xx", "US")],
)
def test_the_country_picker_defaults_from_the_browser_language(client, accept_language, region):
    response = client.get(SIGNUP, headers={"Accept-Language": accept_language})
    assert f'<option value="{region}" selected>' in response.content.decode()


def test_a_signup_makes_an_account_that_cannot_sign_in_yet_and_sends_a_code(client):
    response = signup(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    user = get_user_model().objects.get(username="grace")
    assert not user.is_active
    assert not user.phone_profile.phone_verified
    assert str(user.phone_profile.phone_number) == "+14155550123"
    verification = flow_verification(client)
    assert (verification.status, verification.channel) == ("pending", "sms")
    assert str(verification.phone_number) == "+14155550123"
    assert "_auth_user_id" not in client.session


def test_the_session_holds_the_verification_id_never_the_code(client):
    from tests.helpers import code_of

    signup(client)
    code = code_of(flow_verification(client))
    assert code not in str(dict(client.session.items()))
    kept = {"purpose", "user_id", "verification_id", "phone_number", "channel", "next_url", "username"}
    assert set(flow_of(client)) == kept


def test_an_invalid_number_is_an_error_on_the_number_field(client):
    response = signup(client, phone_number="12")
    assert response.status_code == 200
    assert "This is not a valid phone number." in field_error(response, "phone_number")
    assert not get_user_model().objects.exists()


def test_a_country_not_allowed_is_an_error_on_the_number_field(client, settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["GB"]
    response = signup(client, phone_number="+14155550123", country="GB")
    assert "Phone numbers from US are not accepted." in field_error(response, "phone_number")
    assert not get_user_model().objects.exists()


def test_a_weak_password_is_refused_by_djangos_validators(client):
    response = signup(client, password="12345678")
    errors = field_error(response, "password")
    assert "This password is too common." in errors and "entirely numeric" in errors


def test_a_taken_username_is_refused(client, user):
    response = signup(client, username="ADA")
    assert "This username is taken." in field_error(response, "username")


def test_an_sms_to_a_fixed_line_is_refused_on_the_channel(client):
    response = signup(client, country="GB", phone_number="020 7946 0000", channel="sms")
    assert "fixed line" in field_error(response, "channel")
    assert not get_user_model().objects.exists()


def test_a_throttled_signup_says_how_long_to_wait_and_makes_no_account(client, settings):
    settings.VERIFICATION_MAX_VERIFICATIONS_PER_IP_PER_HOUR = 1
    signup(client, username="first")
    client.session.flush()
    response = signup(client, username="second", phone_number="415 555 0124")
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "Too many codes were asked for from this address. Please try again in 60 minutes." in body
    assert not get_user_model().objects.filter(username="second").exists()
    assert PhoneProfile.objects.count() == 1


def test_the_first_invalid_field_gets_the_focus(client):
    response = signup(client, username="", phone_number="12")
    body = response.content.decode()
    assert body.count("autofocus") == 1
    username_input = body.split('<input type="text" name="username"')[1].split(">")[0]
    assert "autofocus" in username_input
