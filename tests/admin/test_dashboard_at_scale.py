"""The dashboard's figures at a million rows come from settled days kept in the cache and a
few indexed ranges: on a small data set over 100 days they equal what the plain queries
over the whole period give, and the chart has every day of the period (issues 14, 15)."""

import json
from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from tests.helpers import code_of
from verification import services
from verification.models import AuditEvent, Delivery, Status, VerificationAttempt
from verification.phones import mask_phone_number_for_staff

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/verification/dashboard/"
DAYS_AGO = [97, 89, 60, 31, 29, 8, 6, 3, 2, 1, 0]


def wrong(code):
    return "".join(str((int(d) + 1) % 10) for d in code)


def plain_figures(days, now):
    """The dashboard's figures as plain queries over the whole period (as it read them before)."""
    since = now - timedelta(days=days)
    verifications = VerificationAttempt.objects.filter(created_at__gte=since)
    approved = Count("id", filter=Q(status=Status.APPROVED))
    totals = verifications.aggregate(
        total=Count("id"),
        approved=approved,
        locked=Count("id", filter=Q(status=Status.MAX_ATTEMPTS_REACHED)),
        failed=Count("id", filter=Q(status=Status.FAILED)),
        expired=Count("id", filter=Q(status=Status.EXPIRED)),
    )
    checks = AuditEvent.objects.filter(created_at__gte=since, event="check")
    deliveries = Delivery.objects.filter(created_at__gte=since)
    return {
        "totals": totals,
        "by_channel": list(verifications.values("channel").annotate(total=Count("id"), approved=approved).order_by("channel")),
        "daily": {
            row["day"].isoformat(): (row["total"], row["approved"])
            for row in verifications.annotate(day=TruncDate("created_at")).values("day").annotate(total=Count("id"), approved=approved)
        },
        "deliveries": list(deliveries.values("channel", "status").annotate(n=Count("id")).order_by("channel", "status")),
        "deliveries_by_country": [
            {"country": row["verification__country"], "channel": row["channel"], "n": row["n"]}
            for row in deliveries.values("verification__country", "channel")
            .annotate(n=Count("id"))
            .order_by("-n", "verification__country", "channel")[:50]
        ],
        "countries": list(
            verifications.values("country").annotate(sends=Count("id"), approved=approved).order_by("-sends", "country")
        ),
        "wrong_checks": checks.filter(outcome="invalid").count(),
        "refused_checks": checks.filter(outcome="refused").count(),
        "superseded": AuditEvent.objects.filter(created_at__gte=since, event="superseded").count(),
        "top_numbers": [
            {"number": mask_phone_number_for_staff(row["phone_number"]), "n": row["n"]}
            for row in verifications.values("phone_number").annotate(n=Count("id")).order_by("-n", "phone_number")[:5]
        ],
        "top_ips": list(
            verifications.exclude(client_ip=None).values("client_ip").annotate(n=Count("id")).order_by("-n", "client_ip")[:5]
        ),
    }


def shown_figures(data):
    """The same figures from the dashboard's own numbers, in the plain queries' shape."""
    return {
        "totals": {key: data["totals"][key] for key in ("total", "approved", "locked", "failed", "expired")},
        "by_channel": [{key: row[key] for key in ("channel", "total", "approved")} for row in data["by_channel"]],
        "daily": {row["day"]: (row["total"], row["approved"]) for row in data["daily"] if row["total"]},
        "deliveries": data["deliveries"],
        "deliveries_by_country": data["deliveries_by_country"],
        "countries": [{key: row[key] for key in ("country", "sends", "approved")} for row in data["countries"]],
        "wrong_checks": data["abuse"]["wrong_checks"],
        "refused_checks": data["abuse"]["refused_checks"],
        "superseded": data["abuse"]["superseded"],
        "top_numbers": data["abuse"]["top_numbers"],
        "top_ips": data["abuse"]["top_ips"],
    }


@pytest.fixture
def hundred_days(clock, settings):
    """Verifications of every kind on eleven days over 100 days: approved after a wrong code,
    locked, superseded, canceled, left pending, checked after their end; their deliveries
    delivered, failed or still on their way."""
    settings.VERIFICATION_MAX_CHECKS = 2
    settings.VERIFICATION_RESEND_COOLDOWN_SECONDS = 0
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 1000
    settings.VERIFICATION_MAX_VERIFICATIONS_PER_IP_PER_HOUR = 1000
    settings.VERIFICATION_FRAUD_GUARD = False
    now = clock.current
    for i, days_ago in enumerate(DAYS_AGO):
        clock.current = now - timedelta(days=days_ago, hours=i % 5)
        ip = f"203.0.113.{i % 3}"
        approved = services.verification_create(phone_number=f"+1415555{i:02d}01", channel="sms", client_ip=ip)
        services.verification_check(verification_id=approved.id, code=wrong(code_of(approved)))
        services.verification_check(verification_id=approved.id, code=code_of(approved))
        locked = services.verification_create(phone_number=f"+4474001{i:02d}002", channel="call", client_ip=ip)
        for _ in range(2):
            services.verification_check(verification_id=locked.id, code=wrong(code_of(locked)))
        services.verification_create(phone_number=f"+1415555{i:02d}03", channel="auto")
        services.verification_create(phone_number=f"+1415555{i:02d}03", channel="sms")  # supersedes the first
        canceled = services.verification_create(phone_number=f"+3361234{i:02d}04", channel="sms", client_ip="198.51.100.7")
        services.verification_cancel(verification_id=canceled.id)
        clock.advance(60)
        assert services.verification_check(verification_id=canceled.id, code="000000").refused  # after its end
        # What the carrier's callbacks would have said by now.
        Delivery.objects.filter(verification=approved).update(status="delivered")
        Delivery.objects.filter(verification=locked).update(status="failed" if i % 2 else "completed")
    clock.current = now
    return now


@pytest.mark.parametrize("days", [1, 7, 30, 90])
def test_the_figures_equal_the_plain_queries_over_the_period(admin_client, hundred_days, days):
    expected = plain_figures(days, hundred_days)
    assert expected["totals"]["total"] > 0
    for view in ("counted, then kept", "from the cache"):
        figures = admin_client.get(DASHBOARD, {"days": days}).context["figures"]
        shown = shown_figures(figures)
        busiest = {key: shown.pop(key) for key in ("top_numbers", "top_ips")}
        plain = dict(expected)
        plain_busiest = {key: plain.pop(key) for key in ("top_numbers", "top_ips")}
        assert shown == plain, view
        if days == 1:  # the busiest are those of the last 24 hours: the whole period here
            assert busiest == plain_busiest, view


def test_the_busiest_numbers_and_addresses_are_those_of_the_last_24_hours(admin_client, hundred_days):
    body = admin_client.get(DASHBOARD, {"days": 30}).content.decode()
    assert "<caption>Busiest numbers in the last 24 hours</caption>" in body
    assert "<caption>Busiest client IPs in the last 24 hours</caption>" in body
    busiest = admin_client.get(DASHBOARD, {"days": 30}).context["figures"]["abuse"]["top_numbers"]
    assert busiest == plain_figures(1, hundred_days)["top_numbers"]
    assert "<caption>Busiest numbers</caption>" in admin_client.get(DASHBOARD, {"days": 1}).content.decode()


def test_a_settled_day_is_counted_once_then_read_from_the_cache(admin_client, hundred_days):
    """Days before yesterday no longer change: a second view reads them, it does not count them again."""
    before = admin_client.get(DASHBOARD, {"days": 90}).context["figures"]["totals"]["total"]
    long_ago = hundred_days - timedelta(days=200)
    settled = VerificationAttempt.objects.filter(created_at__lt=hundred_days - timedelta(days=3)).first()
    recent = VerificationAttempt.objects.filter(created_at__gte=hundred_days - timedelta(hours=1)).first()
    VerificationAttempt.objects.filter(pk__in=[settled.pk, recent.pk]).update(created_at=long_ago)
    # Both left the period; the settled day still counts its own, today's count follows the table.
    assert admin_client.get(DASHBOARD, {"days": 90}).context["figures"]["totals"]["total"] == before - 1


def test_the_daily_chart_has_every_day_of_the_period_with_zeros(admin_client, clock):
    services.verification_create(phone_number="+14155550101", channel="sms")
    for days, points in ((1, 2), (7, 8), (90, 91)):
        body = admin_client.get(DASHBOARD, {"days": days}).content.decode()
        daily = json.loads(body.split('id="dashboard-data" type="application/json">')[1].split("</script>")[0])["daily"]
        assert len(daily) == points  # the period's first (partial) day to today
        assert daily[-1] == {"day": clock.current.date().isoformat(), "total": 1, "approved": 0}
        assert all(day["total"] == 0 for day in daily[:-1])
        assert [day["day"] for day in daily] == sorted({day["day"] for day in daily})


def test_the_hourly_warm_up_counts_the_settled_days_before_anyone_looks(admin_client, hundred_days):
    from django.core.cache import cache

    from verification.tasks import warm_dashboard

    cache.clear()
    assert warm_dashboard() == 88  # the 90-day period's whole days, but yesterday and today
    settled = VerificationAttempt.objects.filter(created_at__lt=hundred_days - timedelta(days=3)).first()
    VerificationAttempt.objects.filter(pk=settled.pk).update(created_at=hundred_days - timedelta(days=200))
    # The first view reads the days the warm-up counted: the moved row still counts in its day.
    shown = admin_client.get(DASHBOARD, {"days": 90}).context["figures"]["totals"]["total"]
    assert shown == plain_figures(90, hundred_days)["totals"]["total"] + 1
