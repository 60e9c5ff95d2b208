"""django-two-factor-auth on a real site, its phone methods on our gateway: Chromium walks
its setup wizard and its login wizard, reading each code from the sandbox's phone, through
to a page only a verified user sees.

The site runs in a process of its own (tests/two_factor_site: its own settings, SQLite
file, eager tasks, the sandbox carrier) on an ephemeral port of 127.0.0.1.
"""

import sqlite3
import sys
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, csp_watched_pages
from tests.processes import (
    SERVER_ERROR,
    SMS_CODE,
    SPOKEN_CODE,
    free_port,
    log_text,
    manage,
    session,
    site_env,
    start,
    stop,
    wait_until_up,
)

PASSWORD = "correct horse battery"
COOLDOWN = 2  # seconds between two codes to one number: the login's code follows the setup's
USERS = "\n".join(
    f"User.objects.create_user({name!r}, password={PASSWORD!r})" for name in ("carol", "sam", "tess", "uma")
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The two_factor site; yields (url, database path, process)."""
    home = tmp_path_factory.mktemp("two_factor_site")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = site_env(
        DJANGO_SETTINGS_MODULE="tests.two_factor_site.settings",
        DJANGO_DEBUG="1",  # the sandbox carrier
        DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}",
        RATELIMIT_CACHE_DIR=home / "ratelimit",
        PUBLIC_BASE_URL=url,
        VERIFICATION_RESEND_COOLDOWN_SECONDS=COOLDOWN,
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):  # the embedded default: file-cache limits, eager tasks
        env.pop(name, None)
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", f"from django.contrib.auth.models import User\n{USERS}")
    process = start(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], env, home / "server.log"
    )
    try:
        wait_until_up(process, f"{url}/healthz")
        yield url, home / "db.sqlite3", process
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, site):
    """A fresh browser session (no cookies) on the site, in `locale`; a Content-Security-Policy
    violation (something two_factor's pages would load from elsewhere) fails the test."""
    with csp_watched_pages(browser, base_url=site[0], locale="en-US") as open_page:
        yield lambda locale="en-US": open_page(locale=locale)


def inbox_of(url, number):
    """The sandbox phone's inbox for `number`, read over HTTP as a developer would."""
    return session().get(f"{url}/sandbox/inbox/", params={"to": number}, timeout=10).json()


def messages_to(url, number, count):
    """The sandbox phone's inbox for `number` once it holds `count` finished messages, newest first."""
    deadline = time.monotonic() + 20
    while True:
        inbox = inbox_of(url, number)
        done = [item for item in inbox if item["status"] in ("completed", "delivered")]
        if len(done) >= count:
            return done
        if time.monotonic() > deadline:
            raise AssertionError(f"{number} got {inbox}")
        time.sleep(0.2)


def spoken(text):
    return "".join(digit for digit in SPOKEN_CODE.search(text).group(1) if digit.isdigit())


def statuses(database, number):
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT status FROM verification_verificationattempt WHERE phone_number = ? ORDER BY created_at", [number]
        )
        return [status for (status,) in rows]


def next_step(page):
    page.locator("button.btn-primary").click()


def sign_in(page, name, *, next_url=""):
    page.goto(f"/account/login/{next_url}")
    page.fill("input[name=auth-username]", name)
    page.fill("input[name=auth-password]", PASSWORD)
    next_step(page)


def set_up_phone(page, name, method, number):
    sign_in(page, name, next_url="?next=/account/two_factor/setup/")
    expect(page).to_have_url("/account/two_factor/setup/")
    next_step(page)  # the welcome step
    page.check(f"input[name=method-method][value={method}]")
    next_step(page)
    page.fill(f"input[name={method}-number]", number)
    next_step(page)
    expect(page.locator("input[name=validation-token]")).to_be_visible()


def test_a_phone_call_sets_up_two_factor_and_then_signs_the_user_in(site, open_page):
    url, database, _ = site
    number = "+14155550123"
    page = open_page()
    set_up_phone(page, "carol", "call", number)
    expect(page.get_by_text("We are calling your phone right now, please enter the digits you hear.")).to_be_visible()
    [call] = messages_to(url, number, 1)
    assert call["channel"] == "call"
    assert call["text"].startswith("Hello, this is OTP Site. Press any key to hear your verification code.")
    page.fill("input[name=validation-token]", spoken(call["text"]))
    next_step(page)
    expect(page).to_have_url("/account/two_factor/setup/complete/")
    expect(page.get_by_text("Congratulations, you've successfully enabled two-factor authentication.")).to_be_visible()
    assert statuses(database, number) == ["approved"]  # two_factor accepted it: no ciphertext waits for its expiry

    time.sleep(COOLDOWN)  # the number's cooldown, shortened on this site
    page = open_page()
    sign_in(page, "carol")
    expect(page.get_by_text("We are calling your phone right now, please enter the digits you hear.")).to_be_visible()
    call, _ = messages_to(url, number, 2)
    page.fill("input[name=token-otp_token]", spoken(call["text"]))
    next_step(page)
    expect(page).to_have_url("/signed-in/")
    expect(page.get_by_role("heading")).to_have_text("Signed in as carol, verified.")
    assert statuses(database, number) == ["approved", "approved"]


def test_a_text_message_in_the_pages_language_sets_up_two_factor_and_signs_in(site, open_page):
    url, database, _ = site
    number = "+14155550142"
    page = open_page("fr-FR")
    set_up_phone(page, "sam", "sms", number)
    [sms] = messages_to(url, number, 1)
    code = SMS_CODE.search(sms["text"]).group(1)
    assert sms["text"].startswith(f"OTP Site : votre code de vérification est {code}.")
    page.fill("input[name=validation-token]", code)
    next_step(page)
    expect(page).to_have_url("/account/two_factor/setup/complete/")

    time.sleep(COOLDOWN)
    page = open_page("fr-FR")
    sign_in(page, "sam")
    sms, _ = messages_to(url, number, 2)
    page.fill("input[name=token-otp_token]", SMS_CODE.search(sms["text"]).group(1))
    next_step(page)
    expect(page).to_have_url("/signed-in/")
    expect(page.get_by_role("heading")).to_have_text("Signed in as sam, verified.")
    assert statuses(database, number) == ["approved", "approved"]


def test_a_premium_rate_number_is_refused_at_setup_and_nothing_is_sent(site, open_page):
    url, database, _ = site
    number = "+19005550123"
    page = open_page()
    set_up_phone(page, "tess", "call", number)
    expect(page.get_by_text("We've encountered an issue with the selected authentication method.")).to_be_visible()
    assert inbox_of(url, number) == []
    assert statuses(database, number) == []


def test_a_code_refused_at_login_sends_nothing_and_answers_no_server_error(site, open_page):
    """The login wizard has no way to show a failed challenge: the refusal is logged, the page still asks."""
    url, _, process = site
    number = "+14155550165"
    page = open_page()
    set_up_phone(page, "uma", "call", number)
    [call] = messages_to(url, number, 1)
    page.fill("input[name=validation-token]", spoken(call["text"]))
    next_step(page)
    expect(page).to_have_url("/account/two_factor/setup/complete/")
    first, second = open_page(), open_page()
    for page in (first, second):
        page.goto("/account/login/")
        page.fill("input[name=auth-username]", "uma")
        page.fill("input[name=auth-password]", PASSWORD)
    time.sleep(COOLDOWN)
    next_step(first)
    expect(first.locator("input[name=token-otp_token]")).to_be_visible()
    next_step(second)  # well inside the number's cooldown
    expect(second.locator("input[name=token-otp_token]")).to_be_visible()
    messages_to(url, number, 2)  # the setup's call and the first login's
    assert len(inbox_of(url, number)) == 2
    assert "Two-factor call not sent: resend_cooldown" in log_text(process)
    assert not SERVER_ERROR.search(log_text(process))
