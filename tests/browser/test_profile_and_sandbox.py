"""The profile's phone change, the sandbox phone, and the pages that must still work under the CSP."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot, sign_in_as
from tests.browser.support import sms_code
from tests.pages.support import make_user
from verification import services
from verification.contrib.accounts.models import PhoneProfile
from verification.contrib.sandbox import phone


def test_a_new_number_replaces_the_old_one_once_its_code_is_entered(page, live_site, client):
    user = make_user("ada")
    sign_in_as(page, client, live_site, user)
    page.goto("/accounts/profile/")
    page.get_by_label("Phone number", exact=True).fill("415 555 0177")
    page.get_by_role("button", name="Send a code to the new number").click()

    # Said alike whether or not another account holds the number (tests/pages/test_enumeration.py).
    expect(page.get_by_text("If this number can be used, we sent a code to it.")).to_be_visible()
    expect(page.get_by_text("To confirm your new number: if it can be used, we sent a code by text message")).to_be_visible()
    assert str(PhoneProfile.objects.get(user=user).phone_number) == "+14155550123"
    page.get_by_label("Code", exact=True).fill(sms_code(live_site, "+14155550177"))
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("status")).to_have_text("Your phone number is now +1 415 ••• ••77.")
    expect(page.locator(".facts")).to_contain_text("+1 415-555-0177")
    assert str(PhoneProfile.objects.get(user=user).phone_number) == "+14155550177"


def test_the_preferred_channel_is_changed_on_the_profile(page, live_site, client):
    user = make_user("ada", channel="sms")
    sign_in_as(page, client, live_site, user)
    page.goto("/accounts/profile/")
    page.get_by_label("Voice call", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved: your codes will come by voice call.")
    assert PhoneProfile.objects.get(user=user).preferred_channel == "call"


def test_the_sandbox_phone_shows_new_calls_and_sms_by_itself(page, live_site):
    page.goto("/sandbox/phone/")
    expect(page.locator(".phone-entry")).to_have_text(re.compile("Nothing yet"))
    services.verification_create(phone_number="+14155550123", channel="call")
    services.verification_create(phone_number="+14155550124", channel="sms")

    entries = page.locator(".phone-entry[data-id]")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text(re.compile(r"@\S+ #\d{6}"))  # newest first: the SMS
    expect(entries.nth(1)).to_contain_text("verification code is:")
    expect(entries.nth(1)).to_contain_text("completed")
    if phone.espeak_path():
        audio = entries.nth(1).locator("audio")
        expect(audio).to_be_visible()
        response = page.request.get(audio.get_attribute("src"))
        assert response.status == 200 and response.headers["content-type"] == "audio/wav"
    else:
        expect(page.locator("#audio-note")).to_contain_text("espeak-ng is not installed")
    shoot(page, "sandbox-phone")


def test_swagger_ui_and_the_admin_still_work_under_the_csp(page, live_site):
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("otpsite verification API")
    page.goto("/admin/login/")
    expect(page.locator("#header")).to_be_visible()
    assert page.locator("#header").evaluate("e => getComputedStyle(e).display") != "inline"  # its CSS loaded
