"""In Chromium: the pages in the browser's language and the footer's switch, starting over, a sign-in right after
another code, a call that failed, and the try-again page; each one screenshotted at both widths."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, csp_watched_pages, shoot
from tests.browser.support import sms_code
from tests.pages.support import PASSWORD, make_user
from tests.processes import free_port
from verification import services


@pytest.fixture
def page_in(browser, live_site, transactional_db):
    """A phone-sized page whose browser asks for `language` first; CSP violations fail the test."""
    with csp_watched_pages(browser, base_url=live_site.url, viewport=PHONE) as open_page:
        yield lambda language: open_page(locale=language)


def sign_in(page, username="ada"):
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def test_the_landing_page(page, live_site):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Phone verification")
    shoot(page, "home")


def test_the_pages_speak_the_browsers_language_and_the_footer_switches_it(page_in, live_site):
    page = page_in("de-DE")
    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Konto erstellen")
    expect(page.get_by_label("Land", exact=True)).to_have_value("DE")
    expect(page.get_by_label("Textnachricht (SMS)", exact=True)).to_be_visible()
    shoot(page, "signup-de")

    page.get_by_label("Sprache", exact=True).select_option("fr")
    page.get_by_role("button", name="Sprache wechseln").click()
    expect(page).to_have_url(f"{live_site.url}/accounts/signup/")  # back on the same page
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    page.get_by_role("link", name="Se connecter").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")  # the choice stays
    shoot(page, "login-fr")


def test_the_pages_in_hindi_are_drawn_in_devanagari(page_in, live_site):
    page = page_in("hi-IN")
    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_have_text("खाता बनाएँ")
    expect(page.get_by_label("टेक्स्ट मैसेज (SMS)", exact=True)).to_be_visible()
    shoot(page, "signup-hi")


def test_a_code_in_the_pages_language_and_an_sms_in_it_too(page_in, live_site):
    make_user("ada", number="+14155550160")
    page = page_in("es-ES")
    page.goto("/accounts/login/")
    page.get_by_label("Nombre de usuario", exact=True).fill("ada")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("Hemos enviado un código por mensaje de texto a +1 415 ••• ••60.")).to_be_visible()
    expect(page.locator("#resend-wait")).to_have_text(re.compile(r"Podrá volver a pedirlo dentro de \d+ segundos\."))
    code = sms_code(live_site, "+14155550160")
    page.get_by_label("Código", exact=True).fill(code)
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("status")).to_have_text("Ha iniciado sesión.")


def test_cancel_during_signup_says_so_on_the_signup_page(page, live_site):
    page.goto("/accounts/signup/")
    page.get_by_label("Username", exact=True).fill("grace")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Phone number", exact=True).fill("415 555 0143")
    page.get_by_role("button", name="Create the account and send the code").click()
    page.get_by_role("button", name="Cancel and start over").click()
    expect(page).to_have_url(f"{live_site.url}/accounts/signup/")
    expect(page.get_by_role("status")).to_have_text(
        "You canceled the signup: its code no longer works and the account was not kept. You can start over here."
    )
    shoot(page, "signup-canceled")


def test_a_sign_in_right_after_another_code_waits_then_sends_it_by_itself(page, live_site, settings):
    settings.VERIFICATION_RESEND_COOLDOWN_SECONDS = 4
    make_user("ada", number="+14155550161")
    services.verification_create(phone_number="+14155550161", channel="sms")  # the code just before
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your code goes out in a moment")
    expect(page.locator("#resend-wait")).to_have_text(re.compile(r"We can send your code in \d seconds?\."))
    expect(page.get_by_role("button", name="Send the code by text message")).to_be_disabled()
    shoot(page, "verify-deferred")
    # Once the cooldown is over, the page sends the code itself and shows the code step.
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code", timeout=15_000)
    expect(page.get_by_role("status").first).to_have_text("Your code is on its way by text message.")
    page.get_by_label("Code", exact=True).fill(sms_code(live_site, "+14155550161", count=2))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_site.url}/accounts/profile/")


def test_a_call_that_failed_shows_one_truthful_state(page, live_site):
    make_user("ada", number="+14155550197", channel="call")  # the sandbox fails numbers ending in 93-99
    sign_in(page)
    for _ in range(40):  # the read-mode page does not follow the call: reload as a person would
        try:
            page.reload()
        except PlaywrightError:  # the page was still navigating (the sign-in's redirect): look again
            page.wait_for_load_state()
        if page.locator("#ended").count():
            break
        page.wait_for_timeout(500)
    expect(page.locator("#ended")).to_have_text(
        "We could not get the code to your phone: the voice call to +1 415 ••• ••97 did not go through."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a new code")
    expect(page.get_by_text("We sent a code")).to_have_count(0)
    expect(page.get_by_text("The code is on the")).to_have_count(0)
    expect(page.get_by_role("button", name="Send a new code by text message")).to_be_visible()
    shoot(page, "verify-call-failed")


def test_the_try_again_page_when_redis_is_down(page, live_site, settings):
    make_user("ada")
    url = f"redis://127.0.0.1:{free_port()}/0"
    cache = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1}}
    settings.REDIS_URL, settings.CACHES = url, {"default": cache, "ratelimit": cache}
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Try again in a moment")
    shoot(page, "try-again")


def test_the_sandbox_phone_draws_new_entries_in_the_pages_language(page_in, live_site):
    page = page_in("fr-FR")
    page.goto("/sandbox/phone/")
    expect(page.locator(".phone-entry")).to_have_text(re.compile("Rien pour l’instant"))
    services.verification_create(phone_number="+14155550123", channel="call", locale="fr-FR")
    entry = page.locator(".phone-entry[data-id]")
    expect(entry).to_have_count(1)
    expect(entry.locator(".channel")).to_have_text("Appel")
    expect(entry.locator("header .meta").first).to_have_text(re.compile(r"^vers \+14155550123 depuis \+\d+$"))
    expect(page.locator("#phone-status")).to_have_text("Nouvel appel vers +14155550123.")
