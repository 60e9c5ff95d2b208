"""Playwright driving Debian's Chromium against the live server and the sandbox carrier."""

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
# Deliveries go through Celery, the SDK and the sandbox's threads: give them time, but bounded.
expect.set_options(timeout=15_000)
DESKTOP = {"width": 1280, "height": 800}


@contextlib.contextmanager
def csp_watched_pages(browser, **context_options):
    """An opener of fresh pages (each in its own context: no cookies shared); when the
    block ends they are closed, and any Content-Security-Policy violation fails the test."""
    contexts, violations = [], []

    def open_page(**options):
        context = browser.new_context(**{**context_options, **options})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not violations, violations


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """One Chromium for the browser tests, started after the test database exists and closed before it goes."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not at {CHROMIUM}: `make test` installs it (apt-get install chromium).")
    # Playwright's sync API keeps an event loop in this thread while it runs; the tests' ORM calls
    # are still plain synchronous calls, so Django's guard against async contexts is lifted meanwhile.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_site, transactional_db):
    """A phone-sized page on the live site; any Content-Security-Policy violation fails the test."""
    with csp_watched_pages(browser, base_url=live_site.url, viewport=PHONE, locale="en-US") as open_page:
        yield open_page()


def shoot(page, name):
    """Screenshots of the page at phone and desktop width (docs/ copies with SAVE_DOCS_SCREENSHOTS=1)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        path = ARTIFACTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        if os.environ.get("SAVE_DOCS_SCREENSHOTS"):
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS / path.name)
    page.set_viewport_size(size)


def sign_in_as(page, client, live_site, user):
    """Put a signed-in session for `user` into the browser (for tests that start signed in)."""
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_site.url}])
