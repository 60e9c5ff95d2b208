"""The dashboard's charts as the admin sees them in Chromium: the daily line spans every day
of the period, and a delivery status's colour says what it means (issue 15)."""

import os
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from verification.models import Delivery, DeliveryStatus, Status, VerificationAttempt

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
STATUSES = ["delivered", "completed", "failed", "undelivered", "no_answer", "sent"]


@pytest.fixture
def one_day_of_deliveries(transactional_db):
    """Today only: one verification per delivery status, as the carrier's callbacks left them."""
    now = timezone.now()
    for i, status in enumerate(STATUSES):
        channel = "call" if status in ("completed", "no_answer") else "sms"
        verification = VerificationAttempt.objects.create(
            phone_number=f"+1415555{i:04d}",
            country="US",
            channel=channel,
            status=Status.APPROVED if status in ("delivered", "completed") else Status.EXPIRED,
            code_hash="x",
            max_checks=5,
            created_at=now,
            expires_at=now + timedelta(minutes=10),
        )
        Delivery.objects.create(verification=verification, channel=channel, carrier="sandbox", status=status, created_at=now)


@pytest.fixture
def browser_page(live_server, one_day_of_deliveries, monkeypatch):
    """The dashboard's admin in Chromium, everything in the database written before it starts
    (under Playwright's loop the ORM would open a connection of its own)."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not at {CHROMIUM}: `make test` installs it (apt-get install chromium).")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread; the ORM stays sync
    admin = User.objects.create_superuser("root", password="pw-123456789")
    client = Client()
    client.force_login(admin)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        context.close()
        browser.close()
    assert not errors, errors


def chart(page, canvas):
    """What a chart draws: its labels, and each dataset's legend text, colour and values."""
    return page.evaluate(
        """(id) => {
            const chart = Chart.getChart(document.getElementById(id));
            return {
                labels: chart.data.labels,
                legend: chart.legend.legendItems.map((item) => [item.text, item.fillStyle]),
                data: chart.data.datasets.map((set) => [set.label, set.data]),
            };
        }""",
        canvas,
    )


def rgb(colour):
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def test_one_day_of_data_is_drawn_over_every_day_of_the_period(browser_page):
    browser_page.goto("/admin/verification/dashboard/?days=7")
    drawn = chart(browser_page, "daily-chart")
    today = timezone.now().date()
    assert drawn["labels"] == [(today - timedelta(days=n)).isoformat() for n in range(7, -1, -1)]
    verifications, approved = (values for _, values in drawn["data"])
    assert verifications == [0] * 7 + [len(STATUSES)]
    assert approved == [0] * 7 + [2]


def test_delivered_is_green_and_failed_is_red(browser_page):
    browser_page.goto("/admin/verification/dashboard/?days=1")
    drawn = chart(browser_page, "delivery-chart")
    assert drawn["labels"] == ["Voice call", "SMS"]  # the channels and statuses in words, not their values
    status_of = {str(label): value for value, label in DeliveryStatus.choices}
    legend = {status_of[text]: colour for text, colour in drawn["legend"]}
    assert set(legend) == set(STATUSES)
    for status in ("delivered", "completed"):
        red, green, blue = rgb(legend[status])
        assert green > red and green > blue, (status, legend[status])
    for status in ("failed", "undelivered"):
        red, green, blue = rgb(legend[status])
        assert red > green and red > blue, (status, legend[status])
    red, green, blue = rgb(legend["no_answer"])
    assert red > blue and green > blue  # amber: it rang, nobody took it
    assert len(set(legend.values())) == len(legend)  # no two statuses alike
    # The legend reads in order: reached the phone, did not, still on its way.
    assert [text for text, _ in drawn["legend"]] == ["Delivered", "Completed", "Failed", "Undelivered", "No answer", "Sent"]
