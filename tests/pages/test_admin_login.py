"""/admin/login/ is the first of the accounts' two steps, and `set_phone` gives an admin a number (issue 11,
item 2; the whole sign-in in Chromium is in tests/browser/test_admin_login.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests.helpers import code_of
from tests.pages.support import PASSWORD, flow_of, flow_verification, make_user
from verification.contrib.accounts.models import PhoneProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    user = make_user("root", number="+14155550166")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_a_right_password_on_the_admin_login_only_starts_the_code_step(client, admin_user):
    page = client.get("/admin/login/?next=/admin/").content.decode()
    assert "then we send a code to your phone" in page and 'value="Log in"' not in page
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert flow_of(client)["next_url"] == "/admin/"
    done = client.post("/accounts/verify/", {"code": code_of(flow_verification(client))})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "admin:index"])
def test_an_unsafe_next_is_the_admin_index(client, admin_user, target):
    client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": target})
    assert flow_of(client)["next_url"] == "/admin/"


def test_the_admin_login_limits_are_the_sign_in_ones(client, admin_user):
    for _ in range(5):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    page = client.post("/admin/login/", {"username": "root", "password": PASSWORD}).content.decode()
    assert "Too many sign-in attempts for this username from this address. Please try again in 15 minutes." in page
    assert flow_of(client) is None


def test_a_signed_in_user_who_is_not_staff_is_told(client, db):
    client.force_login(make_user("ada"))
    response = client.get("/admin/login/?next=/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert "This account cannot use the admin." in response.content.decode()


def test_set_phone_gives_an_admin_an_unverified_number(db):
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    call_command("set_phone", "root", "415 555 0166", "--country", "US", "--channel", "call")
    profile = PhoneProfile.objects.get(user__username="root")
    assert (str(profile.phone_number), profile.phone_verified, profile.preferred_channel) == (
        "+14155550166",
        False,
        "call",
    )


def test_set_phone_refuses_a_number_another_account_verified_and_an_unknown_user(db):
    make_user("ada", number="+14155550123")
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    with pytest.raises(CommandError, match="already verified by another account"):
        call_command("set_phone", "root", "+14155550123")
    with pytest.raises(CommandError, match="No account is named"):
        call_command("set_phone", "nobody", "+14155550166")
    assert not PhoneProfile.objects.filter(user__username="root").exists()
