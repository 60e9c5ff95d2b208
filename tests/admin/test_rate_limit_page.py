"""The rate-limit page as an admin reads it: who by name, real limits, waits in words,
blocking rows first, and every unblock audited with the number masked."""

import html
import re

import pytest
from django.contrib.admin.models import LogEntry
from rest_framework_api_key.models import APIKey

from verification import services
from verification.admin_rate_limits import window_token
from verification.contrib.accounts import throttle
from verification.contrib.accounts.models import AccountEvent
from verification.exceptions import Throttled

pytestmark = pytest.mark.django_db

RATE_LIMITS = "/admin/verification/rate-limits/"


def rows(response):
    """The rate-limit table's rows as the text a person sees in each cell (hidden form fields left out)."""
    table = response.content.decode().split('id="rate-limits"')[1].split("</table>")[0]
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        found.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells])
    return found


def test_an_api_keys_row_names_the_key_not_its_hash(admin_client):
    key, _ = APIKey.objects.create_key(name="acme")
    services.verification_create(phone_number="+14155550123", channel="call", api_key=key)
    listed = rows(admin_client.get(RATE_LIMITS))
    by_limit = {row[0]: row for row in listed}
    assert by_limit["key-hourly"][1] == "API key “acme”"
    assert by_limit["number-cooldown"][1] == "+1 415 ••• 0123 (API key “acme”)"
    assert all(key.pk not in cell for row in listed for cell in row)


def test_sign_in_limits_show_their_real_limit_and_that_they_block(admin_client):
    for _ in range(5):
        throttle.login_attempt(ip="203.0.113.5", username="alice")
    with pytest.raises(Throttled):
        throttle.login_attempt(ip="203.0.113.5", username="alice")
    listed = rows(admin_client.get(RATE_LIMITS))
    first = listed[0]
    assert first[:5] == [
        "login-user-ip",
        "alice from 203.0.113.5",
        "5",
        "5 per 15 minutes",
        "Too many sign-in attempts for this username from this address.",
    ]
    assert first[5] == "blocking for 15 minutes"
    others = {row[0]: row for row in listed[1:]}
    assert others["login-ip"][3:] == [
        "20 per 15 minutes",
        "Too many sign-in attempts from this address.",
        "not blocking",
        "Unblock",
    ]
    assert others["login-user"][3] == "50 per 15 minutes"


def test_the_signup_limit_shows_its_limit_and_blocks(admin_client, settings):
    settings.ACCOUNTS_SIGNUP_ATTEMPTS_PER_IP = 3
    for _ in range(3):
        throttle.signup_attempt(ip="198.51.100.4")
    [row] = rows(admin_client.get(RATE_LIMITS))
    assert row[:4] == ["signup-ip", "198.51.100.4", "3", "3 per 15 minutes"]
    assert row[5] == "blocking for 15 minutes"


def test_blocking_rows_come_first_with_waits_in_words(admin_client, settings, clock):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 2
    services.verification_create(phone_number="+14155550111", channel="call", client_ip="192.0.2.1")
    clock.advance(31)
    services.verification_create(phone_number="+14155550111", channel="call", client_ip="192.0.2.1")
    clock.advance(31)  # both cooldowns over; the hour's two sends are spent for some 59 minutes
    listed = rows(admin_client.get(RATE_LIMITS))
    assert [row[0] for row in listed][0] == "number-hourly"
    assert listed[0][3] == "2 per hour"
    assert listed[0][5] == "blocking for 59 minutes"
    assert {row[5] for row in listed[1:]} == {"not blocking"}
    assert not any(re.search(r"\d+ s\b", cell) for row in listed for cell in row)


def test_an_unblock_is_audited_and_its_message_masks_the_number(admin_client, admin_user):
    services.verification_create(phone_number="+14155550123", channel="call")
    response = admin_client.post(
        RATE_LIMITS,
        {"name": "number-cooldown", "window": window_token("site|+14155550123")},
        REMOTE_ADDR="198.51.100.7",
        follow=True,
    )
    body = response.content.decode()
    assert "Unblocked number-cooldown for +1 415 ••• 0123 (the site)." in body
    assert "4155550123" not in body  # not even in the unblock forms: they carry the window encrypted

    event = AccountEvent.objects.get(event="rate_limit_unblock")
    assert (event.outcome, event.actor, event.ip) == ("unblocked", admin_user.username, "198.51.100.7")
    assert event.detail == {"limit": "number-cooldown", "subject": "+1 415 ••• 0123 (the site)"}
    assert "4155550123" not in str(event.detail)
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id) == (admin_user, str(event.pk))
    assert entry.get_change_message() == "Unblocked number-cooldown for +1 415 ••• 0123 (the site)."
    services.verification_create(phone_number="+14155550123", channel="call")  # the window is open again


def test_lifting_a_fraud_block_is_in_the_admin_log_too(admin_client, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    from verification.models import FraudBlock

    block = FraudBlock.objects.create(
        scope="range", subject="+1212555", sends=34, approvals=0, window_seconds=3600, min_sends=30,
        min_conversion=0.2, blocked_until=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    page = admin_client.get(RATE_LIMITS).content.decode()
    assert "(under 20% at 30+ sends per hour)" in page
    response = admin_client.post(RATE_LIMITS, {"lift": str(block.pk)}, follow=True)
    assert "Lifted the block of number range +1212555••••." in response.content.decode()
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id) == (admin_user, str(block.pk))
    assert entry.get_change_message() == "Lifted the block of number range +1212555••••."


def every_rule():
    """Each rate-limit rule the app makes, as the code that enforces it builds it."""
    from verification.contrib.accounts.withheld import shadow_rules
    from verification.services.deliveries import pace_rule
    from verification.services.verifications import cap_rules, create_rules, send_rules

    key, _ = APIKey.objects.create_key(name="acme")
    return [
        *send_rules("+14155550123"),
        *send_rules("+14155550123", tenant=f"key:{key.pk}", country="US"),
        *create_rules(client_ip="2001:db8::1", api_key_id=key.pk),
        *create_rules(client_ip="203.0.113.9"),
        *cap_rules("GB"),
        pace_rule(),
        *throttle.login_rules(ip="203.0.113.9", username="Alice"),
        throttle.signup_rule(ip="203.0.113.9"),
        *throttle.phone_change_rules(user_id=7, ip="203.0.113.9"),
        *shadow_rules("+14155550123"),
    ]


def test_the_page_knows_every_rule_the_app_enforces():
    from verification.admin_rate_limits import rule_for

    for rule in every_rule():
        assert rule_for(rule.name, rule.subject) == rule, rule.name


def test_an_unblock_form_from_the_page_works_and_a_made_up_one_does_nothing(admin_client):
    services.verification_create(phone_number="+14155550123", channel="call")
    page = admin_client.get(RATE_LIMITS).content.decode()
    token = re.search(r'name="window" value="([^"]+)"', page).group(1)
    forged = admin_client.post(RATE_LIMITS, {"name": "number-cooldown", "window": "site|+14155550123"}, follow=True)
    assert "Nothing to unblock." in forged.content.decode()
    with pytest.raises(Throttled):
        services.verification_create(phone_number="+14155550123", channel="call")
    admin_client.post(RATE_LIMITS, {"name": "number-cooldown", "window": token})
    services.verification_create(phone_number="+14155550123", channel="call")
