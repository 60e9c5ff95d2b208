"""/accounts/profile/: change the phone number (verified before it replaces the old) and the channel."""

import pytest

from tests.helpers import code_of
from tests.pages.support import flow_of, flow_verification
from verification.accounts.models import PhoneProfile

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


def test_a_phone_change_code_step_belongs_to_its_user_only(client, signed_in):
    client.post("/accounts/profile/phone/", {"country": "US", "phone_number": NEW_NUMBER})
    client.post("/accounts/logout/")
    assert client.get("/accounts/verify/")["Location"] == "/accounts/login/"


def test_the_admin_lists_phone_profiles_with_masked_numbers(admin_client, user):
    page = admin_client.get("/admin/accounts/phoneprofile/").content.decode()
    assert "+1 415 ••• ••23" in page and "4155550123" not in page
