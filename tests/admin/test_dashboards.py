"""The admin's dashboard (conversion, deliveries, abuse) and rate-limit pages."""

import json

import pytest
from django.contrib.auth.models import Permission, User

from tests.helpers import code_of
from verification import services
from verification.admin_rate_limits import window_token
from verification.exceptions import Throttled

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/verification/dashboard/"
RATE_LIMITS = "/admin/verification/rate-limits/"


def wrong(code):
    return "".join(str((int(d) + 1) % 10) for d in code)


@pytest.fixture
def activity(settings):
    settings.VERIFICATION_MAX_CHECKS = 2
    approved = services.verification_create(phone_number="+14155550101", channel="call", client_ip="203.0.113.9")
    services.verification_check(verification_id=approved.id, code=code_of(approved))
    locked = services.verification_create(phone_number="+14155550102", channel="call", client_ip="203.0.113.9")
    bad = wrong(code_of(locked))
    for _ in range(2):
        services.verification_check(verification_id=locked.id, code=bad)
    services.verification_create(phone_number="+14155550103", channel="call")
    return approved, locked


def test_the_dashboard_shows_conversion_and_abuse_figures(admin_client, activity):
    response = admin_client.get(DASHBOARD)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<dd id="total">3</dd>' in body
    assert '<dd id="approved">1</dd>' in body
    assert '<dd id="conversion">33.3%</dd>' in body
    assert '<dd id="wrong-checks">2</dd>' in body
    assert '<dd id="locked">1</dd>' in body
    assert "203.0.113.9" in body
    assert "+1 415 ••• 0101" in body and "4155550101" not in body


def test_the_dashboard_charts_get_their_data_and_chartjs_from_our_static_files(admin_client, activity):
    body = admin_client.get(DASHBOARD).content.decode()
    data = json.loads(body.split('id="dashboard-data" type="application/json">')[1].split("</script>")[0])
    assert sum(day["total"] for day in data["daily"]) == 3
    assert {"channel": "call", "status": "queued", "n": 3} in data["deliveries"]
    assert "/static/verification/vendor/chartjs/chart.umd.min.js" in body
    assert "cdn" not in body.lower()


def test_the_dashboard_is_for_staff_only(client, db):
    assert client.get(DASHBOARD).status_code == 302  # to the admin login


def test_a_staff_member_without_view_permission_is_refused(client, db):
    User.objects.create_user("clerk", password="pw-123456789", is_staff=True)
    client.login(username="clerk", password="pw-123456789")
    assert client.get(DASHBOARD).status_code == 403


def test_the_rate_limit_page_shows_what_is_blocked_and_why(admin_client):
    services.verification_create(phone_number="+14155550123", channel="call")
    body = admin_client.get(RATE_LIMITS).content.decode()
    assert "number-cooldown" in body
    assert "+1 415 ••• 0123 (the site)" in body
    assert "A code was just sent to this number." in body
    assert "1 per 30 seconds" in body


def test_unblock_lets_the_number_receive_a_code_again(admin_client):
    services.verification_create(phone_number="+14155550123", channel="call")
    with pytest.raises(Throttled):
        services.verification_create(phone_number="+14155550123", channel="call")
    response = admin_client.post(RATE_LIMITS, {"name": "number-cooldown", "window": window_token("site|+14155550123")})
    assert response.status_code == 302
    services.verification_create(phone_number="+14155550123", channel="call")


def test_unblock_needs_the_change_permission(client, db):
    user = User.objects.create_user("viewer", password="pw-123456789", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_verificationattempt"))
    client.login(username="viewer", password="pw-123456789")
    services.verification_create(phone_number="+14155550123", channel="call")
    assert client.get(RATE_LIMITS).status_code == 200
    assert client.post(RATE_LIMITS, {"name": "number-cooldown", "window": window_token("site|+14155550123")}).status_code == 403
    with pytest.raises(Throttled):
        services.verification_create(phone_number="+14155550123", channel="call")


def test_the_verification_list_links_to_both_pages(admin_client):
    body = admin_client.get("/admin/verification/verificationattempt/").content.decode()
    assert DASHBOARD in body and RATE_LIMITS in body


def test_the_dashboard_shows_deliveries_per_country_and_channel(admin_client, activity):
    services.verification_create(phone_number="+447400123456", channel="sms")
    body = admin_client.get(DASHBOARD).content.decode()
    assert "Deliveries per country and channel" in body
    assert "<tr><td>US</td><td>Voice call</td><td>3</td></tr>" in body
    assert "<tr><td>GB</td><td>SMS</td><td>1</td></tr>" in body
