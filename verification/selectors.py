"""Reads for the admin dashboards: conversion, delivery and abuse figures."""

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from . import clock, ratelimit
from .conf import app_settings
from .models import AuditEvent, Delivery, FraudBlock, Status, VerificationAttempt
from .phones import mask_phone_number_for_staff
from .services.verifications import known_rule


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


# The dashboard over up to 90 days without reading 90 days of rows on every view: the
# figures of each whole UTC day before yesterday are counted once and kept in the cache
# (its rows no longer change: a verification ends within its TTL and `expire_due` ends the
# overdue ones every minute, deliveries end within minutes, the audit trail is
# append-only); the rest of the period (its partial first day, yesterday and today) is
# counted on every view, by created_at ranges on the indexes of migration 0011.
DAY = timedelta(days=1)
SETTLED_AFTER = 2 * DAY  # today and yesterday are still counted on every view
KEPT_FOR = 100 * 24 * 3600  # seconds: longer than the longest period shown (90 days)
FIGURES_VERSION = 1  # bump when what a day's figures hold changes
COUNTED_AT_ONCE = 15  # settled days counted in one range, at most
# The busiest numbers and client IPs are counted over the last 24 hours at most (abuse going
# on now): a top five over 90 days would group every number and address of the period.
BUSIEST_WITHIN = DAY


def _midnight(moment):
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _split(since, now):
    """The period as its settled whole days (days before yesterday, from the cache) and the ranges counted now."""
    first = since if _midnight(since) == since else _midnight(since) + DAY
    days, day = [], first
    while day <= _midnight(now) - SETTLED_AFTER:
        days.append(day.date())
        day += DAY
    return days, ([(since, first), (day, None)] if days else [(since, None)])


def _within(ranges, **also):
    """Rows created within any of `ranges` (start, end or None), each range with `also`."""
    rows = Q(pk__in=[])
    for start, end in ranges:
        rows |= Q(created_at__gte=start, **({"created_at__lt": end} if end else {}), **also)
    return rows


def _no_figures():
    # v: verifications by (channel, country, status); d: deliveries by (channel, status,
    # country of the verification); a: audit lines by (event, outcome).
    return {"v": Counter(), "d": Counter(), "a": Counter()}


def _count_days(ranges):
    """What the dashboard counts, per UTC day, of the rows created within `ranges`."""
    figures = defaultdict(_no_figures)
    day = TruncDate("created_at", tzinfo=UTC)
    verifications = VerificationAttempt.objects.filter(_within(ranges)).annotate(day=day)
    for row in verifications.values_list("day", "channel", "country", "status").annotate(n=Count("id")).order_by():
        figures[row[0]]["v"][row[1:4]] += row[4]
    # A delivery is made while its verification is pending, so the verification is at most
    # its TTL older: that bounds the join to the range's own verifications (by their index),
    # one query a range (an OR across the two tables would not reach either index).
    margin = timedelta(seconds=app_settings.TTL_SECONDS) + DAY
    for start, end in ranges:
        verified = {"verification__created_at__gte": start - margin}
        if end:
            verified["verification__created_at__lt"] = end
        deliveries = Delivery.objects.filter(_within([(start, end)], **verified)).annotate(day=day)
        for row in deliveries.values_list("day", "channel", "status", "verification__country").annotate(n=Count("id")).order_by():
            figures[row[0]]["d"][row[1:4]] += row[4]
    # One (event, created_at) index range per event and range, not the index's every check.
    audit = AuditEvent.objects.filter(
        _within(ranges, event="check", outcome__in=["invalid", "refused"]) | _within(ranges, event="superseded")
    ).annotate(day=day)
    for row in audit.values_list("day", "event", "outcome").annotate(n=Count("id")).order_by():
        figures[row[0]]["a"][row[1:3]] += row[3]
    return figures


def _settled_days(days):
    """The figures of settled whole days: from the cache, the missing ones counted once, a
    few days a range and kept as each range is counted (a view cut short keeps its work)."""
    database = connection.settings_dict["NAME"]
    keys = {day: f"dashboard-day:{FIGURES_VERSION}:{database}:{day.isoformat()}" for day in days}
    found = cache.get_many(list(keys.values()))
    missing = [day for day, key in keys.items() if key not in found]
    while missing:
        first = missing[0]
        chunk = [day for day in missing[:COUNTED_AT_ONCE] if (day - first).days < COUNTED_AT_ONCE]
        start = datetime.combine(first, datetime.min.time(), UTC)
        counted = _count_days([(start, datetime.combine(chunk[-1], datetime.min.time(), UTC) + DAY)])
        fresh = {keys[day]: counted.get(day, _no_figures()) for day in chunk}
        cache.set_many(fresh, timeout=KEPT_FOR)
        found.update(fresh)
        missing = missing[len(chunk) :]
    return {day: found[keys[day]] for day in days}


def _busiest(since, field):
    rows = VerificationAttempt.objects.filter(created_at__gte=since).exclude(**{field: None})
    return list(rows.values_list(field).annotate(n=Count("id")).order_by("-n", field)[:5])


def dashboard_figures(*, days=7):
    now = clock.now()
    since = now - timedelta(days=days)
    settled, ranges = _split(since, now)
    per_day = defaultdict(_no_figures)
    for figures in (_settled_days(settled), _count_days(ranges)):
        for day, counted in figures.items():
            for part, counts in counted.items():
                per_day[day][part].update(counts)
    verifications, deliveries, audit = Counter(), Counter(), Counter()
    for counted in per_day.values():
        verifications.update(counted["v"])
        deliveries.update(counted["d"])
        audit.update(counted["a"])

    def tally(key):
        """Verifications and approvals grouped by `key(channel, country, status)`."""
        rows = defaultdict(Counter)
        for (channel, country, status), n in verifications.items():
            row = rows[key(channel, country, status)]
            row["total"] += n
            row["approved"] += n if status == Status.APPROVED else 0
        return rows

    statuses = Counter()
    for (_, _, status), n in verifications.items():
        statuses[status] += n
    total = sum(statuses.values())
    totals = {
        "total": total,
        "approved": statuses[Status.APPROVED],
        "locked": statuses[Status.MAX_ATTEMPTS_REACHED],
        "failed": statuses[Status.FAILED],
        "expired": statuses[Status.EXPIRED],
    }
    by_channel = [
        {"channel": channel, "total": row["total"], "approved": row["approved"], "conversion": _rate(row["approved"], row["total"])}
        for channel, row in sorted(tally(lambda channel, country, status: channel).items())
    ]
    countries = [
        {"country": country, "sends": row["total"], "approved": row["approved"], "conversion": _rate(row["approved"], row["total"])}
        for country, row in sorted(tally(lambda channel, country, status: country).items(), key=lambda item: (-item[1]["total"], item[0]))
    ]
    # Every day of the period, those without a verification too: the chart's line spans the period.
    daily, day = [], since.astimezone(UTC).date()
    while day <= now.astimezone(UTC).date():
        counted = per_day[day]["v"] if day in per_day else {}
        daily.append(
            {
                "day": day.isoformat(),
                "total": sum(counted.values()),
                "approved": sum(n for (_, _, status), n in counted.items() if status == Status.APPROVED),
            }
        )
        day += DAY
    by_status, billed = Counter(), Counter()
    for (channel, status, country), n in deliveries.items():
        by_status[channel, status] += n
        billed[country, channel] += n  # where the money goes: every delivery is one call or one SMS billed
    busiest_since = max(since, now - BUSIEST_WITHIN)
    return {
        "days": days,
        "totals": {**totals, "conversion": _rate(totals["approved"], totals["total"])},
        "by_channel": by_channel,
        "countries": countries,
        "daily": daily,
        "deliveries": [{"channel": c, "status": s, "n": n} for (c, s), n in sorted(by_status.items())],
        "deliveries_by_country": [
            {"country": country, "channel": channel, "n": n}
            for (country, channel), n in sorted(billed.items(), key=lambda item: (-item[1], item[0]))[:50]
        ],
        "abuse": {
            "wrong_checks": audit["check", "invalid"],
            "refused_checks": audit["check", "refused"],
            "locked": totals["locked"],
            "superseded": audit["superseded", ""],
            "busiest_within_period": BUSIEST_WITHIN >= timedelta(days=days),
            "top_ips": [{"client_ip": ip, "n": n} for ip, n in _busiest(busiest_since, "client_ip")],
            "top_numbers": [
                {"number": mask_phone_number_for_staff(number), "n": n} for number, n in _busiest(busiest_since, "phone_number")
            ],
        },
    }


def values_seen(model, column):
    """Every value of `column` in `model`'s table, by a skip scan of an index led by it: one
    index probe a value, where `DISTINCT` reads every row (the admin's list filters)."""
    if connection.vendor != "postgresql":  # SQLite in development: a small table, DISTINCT will do
        return [value for value in model.objects.order_by(column).values_list(column, flat=True).distinct() if value]
    table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE seen (value) AS (
                    (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1)
                    UNION ALL
                    SELECT (SELECT t.{column} FROM {table} AS t WHERE t.{column} > seen.value ORDER BY t.{column} LIMIT 1)
                    FROM seen WHERE seen.value IS NOT NULL
                )
                SELECT value FROM seen WHERE value IS NOT NULL AND value <> ''"""
        )
        return [row[0] for row in cursor.fetchall()]


RECENT_ROWS = 2_000


def values_recently_seen(model, field):
    """The values of `field` in the newest RECENT_ROWS rows, for a list filter on a column
    without an index of its own (an older, rarer value can still be filtered by its URL)."""
    newest = model.objects.order_by("-created_at").values_list(field, flat=True)[:RECENT_ROWS]
    return sorted({value for value in newest if value})


def shown_subject(subject):
    """A window's subject for the admin: numbers masked, also behind their tenant ("site|+1415...")."""
    tenant, separator, rest = subject.rpartition("|")
    shown = mask_phone_number_for_staff(rest) if rest.startswith("+") else rest
    return f"{tenant} · {shown}" if separator else shown


def throttled_now():
    """What the rate limits hold now, with the rule's limit where it is one of ours."""
    rows = []
    for name, subject, hits, ttl in ratelimit.active_windows():
        rule = known_rule(name, subject)
        blocked_for = ratelimit.seconds_until_free(rule) if rule else None
        rows.append(
            {
                "name": name,
                "subject": subject,
                "shown_subject": shown_subject(subject),
                "hits": hits,
                "limit": rule.limit if rule else None,
                "window": int(rule.window) if rule else None,
                "why": rule.detail if rule else "",
                "blocked_for": blocked_for,
                "expires_in": round(ttl),
            }
        )
    return rows


def fraud_figures(*, days=7, countries=None):
    """The conversion guard for the dashboard: sends, approvals and conversion per country
    in the period (`countries`, when the dashboard's figures already hold them), and the
    blocks it set (with who lifted them)."""
    now = clock.now()
    since = now - timedelta(days=days)
    if countries is None:
        countries = dashboard_figures(days=days)["countries"]
    blocks = list(FraudBlock.objects.filter(Q(created_at__gte=since) | Q(lifted_at=None, blocked_until__gt=now))[:200])
    for block in blocks:
        block.active = block.is_active(now)
    return {"countries": countries, "blocks": blocks}


def fraud_blocks_now():
    """The fraud guard's blocks that hold now, newest first."""
    from .fraud import active_blocks

    return list(active_blocks(now=clock.now())[:500])


def dashboard_warm(*, days=90):
    """Count the settled days of the longest period shown that the cache lacks (Celery beat,
    hourly), so no admin waits for them on a first view; returns how many days it holds."""
    now = clock.now()
    settled, _ = _split(now - timedelta(days=days), now)
    return len(_settled_days(settled))
