"""The code page in Chromium: a wrong code then the right one, the resend countdown, the channel switch."""

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.support import call_code, sms_code
from tests.pages.support import PASSWORD, make_user

NUMBER = "+14155550123"


def to_code_step(page, *, channel="sms"):
    make_user("ada", channel=channel)
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Code", exact=True)).to_be_visible()


def test_a_wrong_code_says_how_many_tries_are_left_then_the_right_one_signs_in(page, live_site):
    to_code_step(page)
    code = sms_code(live_site, NUMBER)
    page.get_by_label("Code", exact=True).fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()

    field = page.get_by_label("Code", exact=True)
    expect(page.locator("#id_code_error")).to_have_text("Error: That code is not right. 4 tries left.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    shoot(page, "verify-wrong-code")
    field.fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_have_text("You are signed in.")


def test_the_resend_countdown_runs_live_and_the_resend_sends_the_same_code(page, live_site, clock):
    page.clock.install()
    to_code_step(page)
    first = sms_code(live_site, NUMBER)
    wait = page.locator("#resend-wait")
    again = page.get_by_role("button", name="Send it again by text message")
    expect(wait).to_have_text("You can ask for it again in 30 seconds.")
    expect(again).to_be_disabled()

    page.clock.run_for(10_000)
    expect(wait).to_have_text("You can ask for it again in 20 seconds.")
    clock.advance(30)  # the server's cooldown runs on its own clock
    page.clock.run_for(20_000)
    expect(wait).to_have_text("You can ask for it again now.")
    expect(again).to_be_enabled()

    again.click()
    expect(page.get_by_role("status").first).to_have_text("The code is on its way again by text message.")
    expect(wait).to_have_text("You can ask for it again in 30 seconds.")
    assert sms_code(live_site, NUMBER, count=2) == first


def test_switching_to_a_call_reads_the_same_code_and_it_signs_in(page, live_site, clock):
    page.clock.install()
    to_code_step(page, channel="sms")
    first = sms_code(live_site, NUMBER)
    clock.advance(31)
    page.clock.run_for(31_000)
    page.get_by_role("button", name="Send it by voice call instead").click()

    expect(page.get_by_text("We sent a code by voice call to +1 415 ••• ••23.")).to_be_visible()
    expect(page.get_by_role("button", name="Send it by text message instead")).to_be_visible()
    code = call_code(live_site, NUMBER)
    assert code == first
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_have_text("You are signed in.")


def test_an_expired_code_offers_a_new_one_and_the_new_one_signs_in(page, live_site, clock):
    to_code_step(page)
    sms_code(live_site, NUMBER)  # the first code arrived
    clock.advance(601)
    page.reload()
    expect(page.get_by_role("alert")).to_have_text("This code has expired.")
    shoot(page, "verify-expired")
    page.get_by_role("button", name="Send a new code by text message").click()

    expect(page.get_by_role("status").first).to_have_text("A new code is on its way by text message.")
    new = sms_code(live_site, NUMBER, count=2)
    page.get_by_label("Code", exact=True).fill(new)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_have_text("You are signed in.")


def test_without_javascript_every_step_still_works(browser, live_site, transactional_db, clock):
    make_user("ada")
    context = browser.new_context(base_url=live_site.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send it again by text message").click()  # no countdown: the server says wait
    expect(page.get_by_role("alert")).to_have_text(
        "A code was just sent to this number. Please try again in 30 seconds."
    )
    page.get_by_label("Code", exact=True).fill(sms_code(live_site, NUMBER))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_have_text("You are signed in.")
    context.close()


def test_after_a_lock_the_new_code_buttons_wait_for_the_cooldown(page, live_site, clock):
    page.clock.install()
    to_code_step(page)
    code = sms_code(live_site, NUMBER)
    for _ in range(5):
        page.get_by_label("Code", exact=True).fill("000000" if code != "000000" else "111111")
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_have_text("Too many wrong codes: this code is locked.")

    wait = page.locator("#resend-wait")
    again = page.get_by_role("button", name="Send a new code by text message")
    expect(wait).to_have_text("You can ask for a new code in 30 seconds.")
    expect(again).to_be_disabled()
    expect(page.get_by_role("button", name="Send a new code by voice call")).to_be_disabled()
    clock.advance(30)
    page.clock.run_for(30_000)
    expect(wait).to_have_text("You can ask for a new code now.")
    again.click()
    expect(page.get_by_role("status").first).to_have_text("A new code is on its way by text message.")


def test_a_long_wait_counts_down_in_minutes_then_seconds(page, live_site, clock, settings):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 1
    page.clock.install()
    to_code_step(page)
    wait = page.locator("#resend-wait")
    expect(wait).to_have_text("You can ask for it again in 60 minutes.")
    expect(page.get_by_role("button", name="Send it again by text message")).to_be_disabled()
    page.clock.run_for((3600 - 121) * 1000)
    expect(wait).to_have_text("You can ask for it again in 3 minutes.")
    page.clock.run_for(2_000)
    expect(wait).to_have_text("You can ask for it again in 119 seconds.")
