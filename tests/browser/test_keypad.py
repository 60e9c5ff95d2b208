"""Keypad mode in Chromium: the page shows the code, the sandbox phone types it, the page goes on by itself."""

import re

import pytest
import requests
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.helpers import inbox, wait_for
from tests.pages.support import PASSWORD

NUMBER = "+14155550142"


@pytest.fixture(autouse=True)
def keypad(settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    settings.VERIFICATION_VOICE_KEYPAD_TIMEOUT_SECONDS = 2  # calls nobody types into end quickly


def press(live_site, number, digits):
    """Type `digits` on the keypad of the sandbox phone's call, as the person would."""
    call = wait_for(lambda: [e for e in inbox(live_site, number) if e["channel"] == "call"], message="the call")[0]
    session = requests.Session()
    session.trust_env = False
    response = session.post(f"{live_site.url}/sandbox/calls/{call['id']}/press", data={"digits": digits}, timeout=10)
    assert response.status_code == 202, response.text


def test_signup_by_a_keypad_call_shows_the_code_and_goes_on_once_the_phone_typed_it(page, live_site):
    page.goto("/accounts/signup/")
    page.get_by_label("Username", exact=True).fill("grace")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Phone number", exact=True).fill("415 555 0142")
    page.get_by_label("Voice call", exact=True).check()
    page.get_by_role("button", name="Create the account and send the code").click()

    expect(page).to_have_url(f"{live_site.url}/accounts/verify/")
    expect(page.get_by_role("heading", name="Type this code on your phone")).to_be_visible()
    expect(page.get_by_text("Answer the call and type this code on your phone's keypad, then press #.")).to_be_visible()
    expect(page.get_by_label("Code", exact=True)).to_have_count(0)  # nothing to type on the page
    shown = page.get_by_role("img", name=re.compile(r"^Your code: (\d )+\d$"))
    code = shown.get_attribute("aria-label").removeprefix("Your code: ").replace(" ", "")
    expect(shown).to_have_text(code)
    expect(page.get_by_role("button", name="I've typed it — continue")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("text message"))).to_have_count(0)
    shoot(page, "verify-keypad")

    press(live_site, NUMBER, code)

    expect(page).to_have_url(f"{live_site.url}/accounts/profile/", timeout=20_000)  # verify.js followed the status
    expect(page.get_by_role("status")).to_have_text("Your phone number is verified. Welcome!")
    grace = get_user_model().objects.get(username="grace")
    assert grace.is_active and grace.phone_profile.phone_verified
