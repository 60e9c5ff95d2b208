"""/accounts/signup/: an account with a phone number that must be verified before it can sign in."""

import re

import pytest
from django.contrib.auth import get_user_model

from tests.pages.support import PASSWORD, flow_of, flow_verification, make_user
from verification.contrib.accounts.forms import SignupForm
from verification.contrib.accounts.models import PhoneProfile
from verification.models import VerificationAttempt

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


def selected_country(response):
    return re.findall(r'<option value="([A-Z]{2})" selected>', response.content.decode())


@pytest.mark.parametrize(
    ("accept_language", "region"),
    [
        ("fr-CA,fr;q=0.9", "CA"),
        ("de", "DE"),
        ("en-GB,en;q=0.8", "GB"),
        ("", "US"),
        ("xx", "US"),
        ("*", "US"),
        # A bare language is the country most of its speakers are in, not the country with its letters.
        ("ar", "SA"),  # not Argentina
        ("ca", "ES"),  # not Canada
        ("vi", "VN"),  # not the US Virgin Islands
        ("sl", "SI"),
        ("et", "EE"),
        ("uk", "UA"),
        ("el", "GR"),
        ("he", "IL"),
        ("cs", "CZ"),
        ("fa", "IR"),
        ("ja", "JP"),
        ("ko", "KR"),
        ("zh", "CN"),
        ("hi", "IN"),
        ("en", "US"),
        ("es", "ES"),
        ("fr", "FR"),
        ("pt", "BR"),
        ("it", "IT"),
        ("nl", "NL"),
        ("sv", "SE"),
        ("da", "DK"),
        ("nb", "NO"),
        ("no", "NO"),
        ("fi", "FI"),
        ("pl", "PL"),
        ("ru", "RU"),
        ("tr", "TR"),
        ("id", "ID"),
        ("th", "TH"),
        ("ms", "MY"),
        ("ro", "RO"),
        ("hu", "HU"),
        ("sk", "SK"),
        ("bg", "BG"),
        ("hr", "HR"),
        ("sr", "RS"),
        ("lt", "LT"),
        ("lv", "LV"),
        ("bn", "BD"),
        ("ur", "PK"),
        ("ta", "IN"),
        ("sw", "KE"),
        # A script subtag comes before the region, and is no region itself.
        ("zh-Hant-TW", "TW"),
        ("sr-Latn-RS", "RS"),
        ("zh-Hans", "CN"),
        ("es-419", "ES"),  # a region by number: the language's country
        ("pt_PT", "PT"),
        # q=0 means "not this one"; the rest go by their q, best first.
        ("en;q=0,de", "DE"),
        ("fr-CA;q=0, de-AT", "AT"),
        ("de;q=0.5,fr-BE;q=0.9", "BE"),
    ],
)
def test_the_country_picker_defaults_from_the_browser_language(client, accept_language, region):
    response = client.get(SIGNUP, headers={"Accept-Language": accept_language})
    assert selected_country(response) == [region]


def test_the_default_country_is_one_of_the_allowed_ones(client, settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["GB", "IE"]
    assert selected_country(client.get(SIGNUP, headers={"Accept-Language": "ar, en-IE;q=0.5"})) == ["IE"]
    assert selected_country(client.get(SIGNUP, headers={"Accept-Language": "ar"})) == ["GB"]


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
    assert "Phone numbers from United States are not accepted." in field_error(response, "phone_number")
    assert not get_user_model().objects.exists()


def test_a_weak_password_is_refused_by_djangos_validators(client):
    response = signup(client, password="12345678")
    errors = field_error(response, "password")
    assert "This password is too common" in errors and "This password is only digits" in errors


def test_a_taken_username_is_refused(client, user):
    response = signup(client, username="ADA")
    assert "This username is taken." in field_error(response, "username")


def test_a_username_taken_between_the_check_and_the_insert_is_refused_on_its_field(client, user, monkeypatch):
    monkeypatch.setattr(SignupForm, "clean_username", lambda form: form.cleaned_data["username"])  # the race
    response = signup(client, username="ada", phone_number="415 555 0124")
    assert "This username is taken." in field_error(response, "username")
    assert get_user_model().objects.count() == 1 and flow_of(client) is None


def test_a_number_verified_by_another_account_gets_no_code_its_owners_left_alone(client, at_code_step, clock):
    # Answered as a free number is (tests/pages/test_enumeration.py), and never able to complete.
    client.session.flush()
    clock.advance(31)  # past the cooldown of the owner's code, which would hold back any number's
    response = signup(client, phone_number="415 555 0123")
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    assert flow_of(client)["withheld"] is not None
    assert not get_user_model().objects.get(username="grace").is_active
    at_code_step.refresh_from_db()
    assert at_code_step.status == "pending"  # the owner's code is not superseded
    assert VerificationAttempt.objects.count() == 1


def test_a_number_of_an_unfinished_signup_may_still_be_used(client, db):
    make_user("ada", verified=False)
    assert signup(client, phone_number="415 555 0123")["Location"] == "/accounts/verify/"


def test_signups_are_throttled_per_address_before_the_form_is_looked_at(client, user, settings):
    settings.ACCOUNTS_SIGNUP_ATTEMPTS_PER_IP = 2
    signup(client, username="first", password="1")
    signup(client, username="second", password="1")
    response = signup(client, username="ada")  # taken: the page must not say so
    page = response.content.decode()
    assert "Too many signup attempts from this address. Please try again in 15 minutes." in page
    assert "This username is taken." not in page
    assert 'value="ada"' in page and PASSWORD not in page  # what was typed stays, but not the password
    assert get_user_model().objects.count() == 1


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


def input_tag(body, attribute):
    """The whole <input ...> tag that has `attribute` (e.g. 'name="password"')."""
    return re.search(rf"<input[^>]*{re.escape(attribute)}[^>]*>", body).group(0)


def test_the_first_invalid_field_gets_the_focus(client):
    response = signup(client, username="", phone_number="12")
    body = response.content.decode()
    assert body.count("autofocus") == 1
    username_input = body.split('<input type="text" name="username"')[1].split(">")[0]
    assert "autofocus" in username_input


def test_the_focus_goes_to_the_first_invalid_field_in_page_order_not_in_the_order_checked(client):
    # The number is checked (clean) before the password's validators run, but comes after it on the page.
    response = signup(client, password="12345678", phone_number="12")
    body = response.content.decode()
    assert body.count("autofocus") == 1
    assert "autofocus" in input_tag(body, 'name="password"')


def test_an_invalid_choice_of_radio_buttons_focuses_the_first_button_only(client):
    body = signup(client, channel="fax").content.decode()
    assert body.count("autofocus") == 1
    assert "autofocus" in input_tag(body, 'id="id_channel_0"')


def test_the_password_is_hashed_before_the_write_lock_is_taken(client, monkeypatch, settings):
    """SQLite (make run) has one write lock for the whole file: a signup that hashed inside its
    transaction held it a quarter of a second, and a crowd of signups ran past its timeout."""
    from django.contrib.auth import hashers
    from django.db import connection

    hashed_in_transaction = []
    outside = len(connection.atomic_blocks)  # the test's own transaction
    real = hashers.PBKDF2PasswordHasher.encode

    def encode(self, password, salt, iterations=None):
        hashed_in_transaction.append(len(connection.atomic_blocks) > outside)
        return real(self, password, salt, iterations)

    monkeypatch.setattr(hashers.PBKDF2PasswordHasher, "encode", encode)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the hashers' cache is reset
    assert signup(client).status_code == 302
    assert hashed_in_transaction == [False]
    user = get_user_model().objects.get(username="grace")
    assert user.password.startswith("pbkdf2_sha256$") and user.check_password(PASSWORD)
