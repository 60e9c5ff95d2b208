"""Every admin view in Chromium at phone and desktop width, with screenshots for docs/screenshots/
(SAVE_DOCS_SCREENSHOTS=1), and the rate-limit page measured: never wider than the window."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework_api_key.models import APIKey

from tests.browser.conftest import DESKTOP, PHONE, shoot, sign_in_as
from tests.browser.test_admin_login import make_admin
from tests.helpers import code_of
from verification import services
from verification.contrib.accounts import throttle
from verification.contrib.accounts.audit import account_event
from verification.exceptions import Throttled
from verification.models import FraudBlock, WebhookAttempt, WebhookMessage
from verification.services import Actor
from verification.webhooks.outbox import endpoint_create

RATE_LIMITS = "/admin/verification/rate-limits/"


def some_of_everything():
    """A little of each thing the admin lists: verifications in several states, blocks, windows, a webhook."""
    key, _ = APIKey.objects.create_key(name="acme-production")
    approved = services.verification_create(
        phone_number="+14155550123", channel="call", api_key=key, client_ip="2001:db8:85a3::8a2e:370:7334"
    )
    services.verification_check(verification_id=approved.id, code=code_of(approved))
    services.verification_create(phone_number="+14155550223", channel="sms", client_ip="203.0.113.9")
    services.verification_create(phone_number="+447400123456", channel="call", locale="en-GB")
    for _ in range(5):
        throttle.login_attempt(ip="198.51.100.23", username="someone.with.a.long.username@example.com")
    with pytest.raises(Throttled):
        throttle.login_attempt(ip="198.51.100.23", username="someone.with.a.long.username@example.com")
    now = timezone.now()
    FraudBlock.objects.create(
        scope="range", subject="+1212555", sends=34, approvals=0, window_seconds=3600, min_sends=30,
        min_conversion=0.2, blocked_until=now + dt.timedelta(days=1),
    )  # fmt: skip
    endpoint_create(api_key=key, url="https://hooks.example.com/otp")  # after the verifications: nothing is posted
    message = WebhookMessage.objects.create(
        id="msg_0f6c3b7e9a2d4c1b8e5f6a7b8c9d0e1f", verification=approved, api_key=key, url="https://hooks.example.com/otp",
        event_type="verification.approved", payload={"type": "verification.approved", "data": {"id": str(approved.id)}},
        status="failed", attempts=1, last_error="HTTP 503",
    )  # fmt: skip
    WebhookAttempt.objects.create(message=message, status_code=503, latency_ms=84, excerpt="upstream unavailable")
    account_event(
        event="login",
        outcome="throttled",
        actor=Actor(type="user", name="ada", ip="198.51.100.23"),
        phone_number="+14155550123",
    )
    Group.objects.create(name="support")


def admin_views():
    """(name, path) for the index, every registered model's list and one of its pages, and our own pages."""
    views = [("admin-index", "/admin/")]
    for model in sorted(admin.site._registry, key=lambda m: (m._meta.app_label, m._meta.model_name)):
        info = (model._meta.app_label, model._meta.model_name)
        views.append((f"admin-{info[1]}-list", reverse("admin:{}_{}_changelist".format(*info))))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            views.append((f"admin-{info[1]}-page", reverse("admin:{}_{}_change".format(*info), args=[quote(first.pk)])))
    return views + [("admin-dashboard", "/admin/verification/dashboard/"), ("admin-rate-limits", RATE_LIMITS)]


@pytest.fixture
def admin_page(page, client, live_site):
    sign_in_as(page, client, live_site, make_admin())
    return page


def lines_of(cell):
    """How many lines a cell's text is laid out on."""
    return cell.evaluate(
        """e => { const r = document.createRange(); r.selectNodeContents(e);
                  return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"""
    )


def width_overflow(page):
    """How far the document is wider than the window (0: no horizontal scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_rate_limit_page_fits_the_window_with_no_horizontal_scroll(admin_page, viewport):
    some_of_everything()
    admin_page.set_viewport_size(viewport)
    admin_page.goto(RATE_LIMITS)
    table = admin_page.locator("#rate-limits")
    expect(table).to_contain_text("API key “acme-production”")
    expect(table).to_contain_text("blocking for 15 minutes")
    expect(table.locator("tbody tr").first).to_contain_text("login-user-ip")  # the blocking rows first
    assert width_overflow(admin_page) <= 0
    # Each reason reads as a line or two, not a word a line.
    for why in table.locator("tbody tr td.why").all():
        assert lines_of(why) <= 2, why.inner_text()


def test_every_admin_view_opens_at_both_widths_and_is_photographed(admin_page):
    some_of_everything()
    views = admin_views()
    assert len(views) >= 20
    for name, path in views:
        response = admin_page.goto(path)
        assert response.status == 200, path
        expect(admin_page.locator("#content")).to_be_visible()
        expect(admin_page.locator("body")).not_to_contain_text("Traceback")
        shoot(admin_page, name)


def test_the_admin_in_hindi_and_german_fits_the_window_and_is_photographed(admin_page, live_site):
    """The admin in the page's language (the footer's choice): its names and labels in Devanagari, and the
    rate-limit page's longer words (German's) still fit at both widths."""
    some_of_everything()
    for language, heading in (("hi", "दर सीमाएँ"), ("de", "Ratenbegrenzungen")):
        admin_page.context.add_cookies([{"name": "django_language", "value": language, "url": live_site.url}])
        for viewport in (PHONE, DESKTOP):
            admin_page.set_viewport_size(viewport)
            admin_page.goto(RATE_LIMITS)
            expect(admin_page.locator("html")).to_have_attribute("lang", language)
            expect(admin_page.locator("#content h1")).to_have_text(heading)
            assert width_overflow(admin_page) <= 0, (language, viewport)
    admin_page.context.add_cookies([{"name": "django_language", "value": "hi", "url": live_site.url}])
    for name, path in (("admin-index-hi", "/admin/"), ("admin-verificationattempt-list-hi", "/admin/verification/verificationattempt/"),
                       ("admin-dashboard-hi", "/admin/verification/dashboard/"), ("admin-rate-limits-hi", RATE_LIMITS)):  # fmt: skip
        assert admin_page.goto(path).status == 200, path
        expect(admin_page.locator("html")).to_have_attribute("lang", "hi")
        shoot(admin_page, name)
    expect(admin_page.locator("#content")).to_contain_text("नंबर रेंज +1212555••••")


def test_an_unblock_on_the_page_names_the_number_masked(admin_page):
    services.verification_create(phone_number="+14155550123", channel="call")
    admin_page.goto(RATE_LIMITS)
    admin_page.get_by_role("button", name="Unblock number-cooldown for +1 415 ••• 0123 (the site)").click()
    expect(admin_page.locator(".messagelist")).to_have_text("Unblocked number-cooldown for +1 415 ••• 0123 (the site).")
    expect(admin_page.locator("#rate-limits")).not_to_contain_text("number-cooldown")
    shoot(admin_page, "admin-rate-limits-unblocked")
