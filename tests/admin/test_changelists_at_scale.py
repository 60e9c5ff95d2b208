"""The admin's lists hold at a million rows: no COUNT(*) over the whole table, no DISTINCT
for a filter's choices, no date hierarchy; searches and filters still find what they should."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from verification import services
from verification.admin import BoundedCountPaginator

pytestmark = pytest.mark.django_db

LISTS = [
    "/admin/verification/verificationattempt/",
    "/admin/verification/delivery/",
    "/admin/verification/auditevent/",
]


@pytest.fixture
def verifications(settings):
    settings.VERIFICATION_FRAUD_GUARD = False
    return [
        services.verification_create(phone_number=number, channel="sms")
        for number in ("+14155550101", "+14155550102", "+447400123456", "+33612345678")
    ]


@pytest.mark.parametrize("path", LISTS)
def test_a_list_counts_its_rows_only_up_to_a_bound(admin_client, verifications, path):
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(path)
    assert response.status_code == 200
    counts = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]
    assert counts, "the list counts its rows"
    assert all(re.search(r"LIMIT 10001\b", sql) for sql in counts), counts
    assert not [query["sql"] for query in captured.captured_queries if "DISTINCT" in query["sql"].upper()]


def test_past_the_bound_the_list_shows_the_estimate_and_still_pages(admin_client, verifications, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "BOUND", 2)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get("/admin/verification/verificationattempt/")
    counts = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]
    assert counts and all("LIMIT 3" in sql for sql in counts), counts
    assert any(query["sql"].startswith("EXPLAIN (FORMAT JSON)") for query in captured.captured_queries)
    shown = int(re.search(r"(\d+) verification attempts", response.content.decode()).group(1))
    assert shown >= 3  # the planner's estimate, never below what was counted
    assert response.content.decode().count('class="action-select"') == 4


def test_the_country_filter_lists_the_countries_and_filters_by_one(admin_client, verifications):
    body = admin_client.get("/admin/verification/verificationattempt/").content.decode()
    filters = body.split('id="changelist-filter"')[1]
    for country in ("FR", "GB", "US"):
        assert f"?country={country}" in filters
    listed = admin_client.get("/admin/verification/verificationattempt/", {"country": "GB"}).content.decode()
    assert listed.count('class="action-select"') == 1 and "+44 740" in listed


@pytest.mark.parametrize("path", LISTS[1:])
def test_deliveries_and_the_audit_trail_filter_by_the_verifications_country(admin_client, verifications, path):
    body = admin_client.get(path).content.decode()
    assert "?verification__country=GB" in body.split('id="changelist-filter"')[1]
    listed = admin_client.get(path, {"verification__country": "US"}).content.decode()
    assert "+1 415" in listed and "+44 740" not in listed and "+33 6" not in listed


def test_the_audit_trail_filters_by_event_and_outcome(admin_client, verifications):
    services.verification_check(verification_id=verifications[0].id, code="000000")
    filters = admin_client.get("/admin/verification/auditevent/").content.decode().split('id="changelist-filter"')[1]
    assert "?event=created" in filters and "?event=check" in filters
    assert "?outcome=invalid" in filters
    listed = admin_client.get("/admin/verification/auditevent/", {"event": "check"}).content.decode()
    assert listed.count('class="field-event_shown"') == 1 and ">Wrong code<" in listed


def test_a_number_is_found_as_typed_and_a_verification_by_its_id(admin_client, verifications):
    path = "/admin/verification/verificationattempt/"
    with CaptureQueriesContext(connection) as captured:
        found = admin_client.get(path, {"q": "+1 415 555 0102"}).content.decode()
    assert found.count('class="action-select"') == 1 and "0102" in found
    assert not [query["sql"] for query in captured.captured_queries if "UPPER(" in query["sql"]]
    by_id = admin_client.get(path, {"q": str(verifications[2].id)}).content.decode()
    assert by_id.count('class="action-select"') == 1 and "+44 740" in by_id
    assert admin_client.get(path, {"q": "not a number"}).content.decode().count('class="action-select"') == 0


def test_the_lists_have_no_date_hierarchy_but_keep_the_date_filter(admin_client, verifications):
    for path in LISTS:
        body = admin_client.get(path).content.decode()
        assert 'class="xfull"' not in body  # Django's date hierarchy bar
        assert "?created_at__gte=" in body  # the date filter: today, past 7 days, this month, this year
