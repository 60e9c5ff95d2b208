"""One verified account per number: the pages check it, and the database holds it when two race."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from tests.helpers import code_of
from tests.pages.support import flow_of, flow_verification, login_password, make_user
from verification.contrib.accounts import services as account_services
from verification.contrib.accounts.models import PhoneProfile

pytestmark = pytest.mark.django_db

NUMBER = "+14155550123"


@pytest.fixture
def check_lost_the_race(monkeypatch):
    """The pages' own check passes: the other account verifies the number just after it."""
    monkeypatch.setattr(account_services, "number_taken", lambda **kwargs: False)


def test_the_database_refuses_a_second_verified_account_for_a_number(db):
    make_user("ada", number=NUMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("grace", number=NUMBER)


def test_unverified_accounts_may_share_a_number_with_a_verified_one(db):
    make_user("ada", number=NUMBER)
    make_user("grace", number=NUMBER, verified=False)
    make_user("mallory", number=NUMBER, verified=False)
    assert PhoneProfile.objects.filter(phone_number=NUMBER).count() == 3


def test_a_signup_verified_after_another_account_took_the_number_is_refused(client, db, check_lost_the_race):
    make_user("mallory", verified=False)
    login_password(client, username="mallory")
    code = code_of(flow_verification(client))
    make_user("ada", number=NUMBER)  # the owner verified the number after the pages' check
    response = client.post("/accounts/verify/", {"code": code}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/accounts/signup/"
    assert "This number is already used by another account." in response.content.decode()
    mallory = get_user_model().objects.get(username="mallory")
    assert not mallory.is_active and not mallory.phone_profile.phone_verified  # nothing half-done
    assert flow_of(client) is None and "_auth_user_id" not in client.session


def test_a_number_change_verified_after_another_account_took_the_number_is_refused(client, db, check_lost_the_race):
    ada = make_user("ada")
    client.force_login(ada)
    client.post("/accounts/profile/phone/", {"country": "US", "phone_number": "+14155550177"})
    code = code_of(flow_verification(client))
    make_user("grace", number="+14155550177")
    response = client.post("/accounts/verify/", {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert "This number is already used by another account." in response.content.decode()
    ada.phone_profile.refresh_from_db()
    assert str(ada.phone_profile.phone_number) == NUMBER and ada.phone_profile.phone_verified


def test_the_admin_tells_a_number_verified_by_another_account(admin_client, db):
    make_user("ada", number=NUMBER)
    grace = make_user("grace", number=NUMBER, verified=False)
    profile = grace.phone_profile
    response = admin_client.post(
        f"/admin/accounts/phoneprofile/{profile.pk}/change/",
        {"user": grace.pk, "phone_number": NUMBER, "phone_verified": "on", "preferred_channel": "sms",
         "pending_phone_number": ""},
    )
    assert response.status_code == 200
    assert "This number is already used by another account." in response.content.decode()
    profile.refresh_from_db()
    assert not profile.phone_verified
