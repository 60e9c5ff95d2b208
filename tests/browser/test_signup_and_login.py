"""Signing up and signing in, in Chromium, with the codes read off the sandbox's phones."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.support import call_code, sms_code
from tests.pages.support import PASSWORD, make_user


def test_signup_then_the_code_from_the_inbox_verifies_the_number_and_signs_in(page, live_site):
    page.goto("/accounts/signup/")
    expect(page.get_by_label("Country", exact=True)).to_have_value("US")  # from the browser's en-US
    shoot(page, "signup")
    page.get_by_label("Username", exact=True).fill("grace")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Phone number", exact=True).fill("415 555 0142")
    page.get_by_label("Text message (SMS)", exact=True).check()
    page.get_by_role("button", name="Create the account and send the code").click()

    expect(page).to_have_url(f"{live_site.url}/accounts/verify/")
    expect(page.get_by_text("We sent a code by text message to +1 415 ••• ••42.")).to_be_visible()
    assert not get_user_model().objects.get(username="grace").is_active
    shoot(page, "verify")
    page.get_by_label("Code", exact=True).fill(sms_code(live_site, "+14155550142"))
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(f"{live_site.url}/accounts/profile/")
    expect(page.get_by_role("status")).to_have_text("Your phone number is verified. Welcome!")
    expect(page.get_by_role("navigation")).to_contain_text("grace")
    assert get_user_model().objects.get(username="grace").phone_profile.phone_verified
    shoot(page, "profile")


@pytest.mark.parametrize(("channel", "read_code"), [("call", call_code), ("sms", sms_code)])
def test_login_is_the_password_then_a_code_by_the_preferred_channel(page, live_site, channel, read_code):
    make_user("ada", channel=channel)
    page.goto("/accounts/login/")
    if channel == "sms":
        shoot(page, "login")
    page.get_by_label("Username", exact=True).fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    words = {"call": "voice call", "sms": "text message"}[channel]
    expect(page.get_by_text(f"We sent a code by {words} to +1 415 ••• ••23.")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(read_code(live_site, "+14155550123"))
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(f"{live_site.url}/accounts/profile/")
    expect(page.get_by_role("status")).to_have_text("You are signed in.")


def test_a_wrong_password_is_told_without_saying_which_part_was_wrong(page, live_site):
    make_user("ada")
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("ada")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text("The username or the password is not right.")
    shoot(page, "login-error")
