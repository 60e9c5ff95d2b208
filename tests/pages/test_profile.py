"""/accounts/profile/: change the phone number (verified before it replaces the old) and the channel."""

import re

import pytest
from django.test import Client

from tests.helpers import code_of
from tests.pages.support import flow_of, flow_verification, make_user
from verification.contrib.accounts.models import PhoneProfile
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db

NEW_NUMBER = "+14155550177"


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return user


def profile(user):
    return PhoneProfile.objects.get(user=user)


def numbers(user):
    """(the number, the number waiting for its code)."""
    found = profile(user)
    return str(found.phone_number), str(found.pending_phone_number)


def test_the_profile_needs_a_signed_in_user(client, db):
    response = client.get("/accounts/profile/")
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_the_profile_shows_the_number_and_the_channel(client, signed_in):
    page = client.get("/accounts/profile/").content.decode()
    assert "+1 415-555-0123" in page and "text message" in page


def test_a_new_number_gets_a_code_and_the_old_one_stays_until_it_is_verified(client, signed_in):
    response = client.post("/accounts/profile/phone/", {"country": "US", "phone_number": "415 555 0177"})
    assert response["Location"] == "/accounts/verify/"
    verification = flow_verification(client)
    assert str(verification.phone_number) == NEW_NUMBER
    assert numbers(signed_in) == ("+14155550123", NEW_NUMBER)
    assert "Enter it</a> to make it your number." in client.get("/accounts/profile/").content.decode()


def test_the_new_numbers_code_replaces_the_number(client, signed_in):
    client.post("/accounts/profile/phone/", {"country": "US", "phone_number": NEW_NUMBER})
    response = client.post("/accounts/verify/", {"code": code_of(flow_verification(client))}, follow=True)
    assert numbers(signed_in) == (NEW_NUMBER, "")
    assert "Your phone number is now +1 415 ••• ••77." in response.content.decode()


def test_keeping_the_current_number_drops_the_new_one(client, signed_in):
    client.post("/accounts/profile/phone/", {"country": "US", "phone_number": NEW_NUMBER})
    verification = flow_verification(client)
    assert client.post("/accounts/verify/cancel/")["Location"] == "/accounts/profile/"
    verification.refresh_from_db()
    assert verification.status == "canceled"
    assert numbers(signed_in) == ("+14155550123", "")


def test_an_invalid_new_number_is_an_error_on_its_field(client, signed_in):
    response = client.post("/accounts/profile/phone/", {"country": "US", "phone_number": "555"})
    page = response.content.decode()
    assert 'id="id_phone_number_error"' in page and "This is not a valid phone number." in page
    assert flow_of(client) is None


def test_a_throttled_new_number_says_how_long_to_wait(client, signed_in, clock):
    client.post("/accounts/profile/phone/", {"country": "US", "phone_number": NEW_NUMBER})
    response = client.post("/accounts/profile/phone/", {"country": "US", "phone_number": NEW_NUMBER})
    assert "A code was just sent to this number. Please try again in 30 seconds." in response.content.decode()


def test_the_preferred_channel_is_saved(client, signed_in):
    response = client.post("/accounts/profile/channel/", {"preferred_channel": "call"}, follow=True)
    assert profile(signed_in).preferred_channel == "call"
    assert "Saved: your codes will come by voice call." in response.content.decode()


def test_an_unknown_channel_is_refused(client, signed_in):
    response = client.post("/accounts/profile/channel/", {"preferred_channel": "fax"})
    assert 'id="id_preferred_channel_error"' in response.content.decode()
    assert profile(signed_in).preferred_channel == "sms"


def test_an_unknown_channel_focuses_the_first_radio_button_only(client, signed_in):
    page = client.post("/accounts/profile/channel/", {"preferred_channel": "fax"}).content.decode()
    assert page.count("autofocus") == 1
    assert "autofocus" in re.search(r'<input[^>]*id="id_preferred_channel_0"[^>]*>', page).group(0)


def test_the_profile_shows_a_number_from_a_country_no_longer_allowed(client, signed_in, settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["GB"]
    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "+1 415-555-0123" in page and '<option value="GB" selected>' in page


def test_a_number_verified_by_another_account_gets_no_code_and_never_replaces_the_old(client, signed_in):
    # Answered as a free number is (tests/pages/test_enumeration.py): nothing says it is taken.
    make_user("grace", number=NEW_NUMBER)
    response = client.post("/accounts/profile/phone/", {"country": "US", "phone_number": NEW_NUMBER})
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    assert "already used" not in client.get("/accounts/verify/").content.decode()
    assert not VerificationAttempt.objects.exists()
    client.post("/accounts/verify/", {"code": "123456"})
    assert numbers(signed_in) == ("+14155550123", NEW_NUMBER)  # waiting for a code that never comes


def test_a_number_change_without_a_phone_profile_is_told(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="admin", password="x"))
    response = client.post("/accounts/profile/phone/", {"country": "US", "phone_number": NEW_NUMBER})
    assert response.status_code == 200
    assert "This account has no phone number to change. Ask an administrator." in response.content.decode()
    assert flow_of(client) is None


def test_a_number_change_replaced_from_another_session_says_so(client, signed_in):
    client.post("/accounts/profile/phone/", {"country": "US", "phone_number": NEW_NUMBER})
    first = flow_verification(client)
    other = Client()
    other.force_login(signed_in)
    other.post("/accounts/profile/phone/", {"country": "US", "phone_number": "+14155550188"})
    response = client.post("/accounts/verify/", {"code": code_of(first)}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert "This number change was replaced by a newer one." in response.content.decode()
    assert numbers(signed_in) == ("+14155550123", "+14155550188") and flow_of(client) is None


def test_a_phone_change_code_step_belongs_to_its_user_only(client, signed_in):
    client.post("/accounts/profile/phone/", {"country": "US", "phone_number": NEW_NUMBER})
    client.post("/accounts/logout/")
    assert client.get("/accounts/verify/")["Location"] == "/accounts/login/"


def test_the_admin_lists_phone_profiles_with_masked_numbers(admin_client, user):
    page = admin_client.get("/admin/accounts/phoneprofile/").content.decode()
    assert "+1 415 ••• 0123" in page and "4155550123" not in page
