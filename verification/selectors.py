"""Reads for the admin dashboards: conversion, delivery and abuse figures."""

from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from . import clock, ratelimit
from .models import AuditEvent, Delivery, FraudBlock, Status, VerificationAttempt
from .phones import mask_phone_number
from .services.verifications import known_rule


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def dashboard_figures(*, days=7):
    since = clock.now() - timedelta(days=days)
    verifications = VerificationAttempt.objects.filter(created_at__gte=since)
    totals = verifications.aggregate(
        total=Count("id"),
        approved=Count("id", filter=Q(status=Status.APPROVED)),
        locked=Count("id", filter=Q(status=Status.MAX_ATTEMPTS_REACHED)),
        failed=Count("id", filter=Q(status=Status.FAILED)),
        expired=Count("id", filter=Q(status=Status.EXPIRED)),
    )
    by_channel = [
        {**row, "conversion": _rate(row["approved"], row["total"])}
        for row in verifications.values("channel")
        .annotate(total=Count("id"), approved=Count("id", filter=Q(status=Status.APPROVED)))
        .order_by("channel")
    ]
    daily = list(
        verifications.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(total=Count("id"), approved=Count("id", filter=Q(status=Status.APPROVED)))
        .order_by("day")
    )
    deliveries = list(
        Delivery.objects.filter(created_at__gte=since).values("channel", "status").annotate(n=Count("id")).order_by("channel", "status")
    )
    # Where the money goes: every delivery is one call or one SMS the carrier bills.
    cost = list(
        Delivery.objects.filter(created_at__gte=since)
        .values("verification__country", "channel")
        .annotate(n=Count("id"))
        .order_by("-n", "verification__country", "channel")[:50]
    )
    checks = AuditEvent.objects.filter(created_at__gte=since, event="check")
    top_ips = list(
        verifications.exclude(client_ip=None).values("client_ip").annotate(n=Count("id")).order_by("-n")[:5]
    )
    top_numbers = [
        {"number": mask_phone_number(row["phone_number"]), "n": row["n"]}
        for row in verifications.values("phone_number").annotate(n=Count("id")).order_by("-n")[:5]
    ]
    return {
        "days": days,
        "totals": {**totals, "conversion": _rate(totals["approved"], totals["total"])},
        "by_channel": by_channel,
        "daily": [{"day": row["day"].isoformat(), "total": row["total"], "approved": row["approved"]} for row in daily],
        "deliveries": deliveries,
        "deliveries_by_country": [
            {"country": row["verification__country"], "channel": row["channel"], "n": row["n"]} for row in cost
        ],
        "abuse": {
            "wrong_checks": checks.filter(outcome="invalid").count(),
            "refused_checks": checks.filter(outcome="refused").count(),
            "locked": totals["locked"],
            "superseded": AuditEvent.objects.filter(created_at__gte=since, event="superseded").count(),
            "top_ips": top_ips,
            "top_numbers": top_numbers,
        },
    }


def shown_subject(subject):
    """A window's subject for the admin: numbers masked, also behind their tenant ("site|+1415...")."""
    tenant, separator, rest = subject.rpartition("|")
    shown = mask_phone_number(rest) if rest.startswith("+") else rest
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


def fraud_figures(*, days=7):
    """The conversion guard for the dashboard: sends, approvals and conversion per country
    in the period, and the blocks it set (with who lifted them)."""
    now = clock.now()
    since = now - timedelta(days=days)
    countries = [
        {**row, "conversion": _rate(row["approved"], row["sends"])}
        for row in VerificationAttempt.objects.filter(created_at__gte=since)
        .values("country")
        .annotate(sends=Count("id"), approved=Count("id", filter=Q(status=Status.APPROVED)))
        .order_by("-sends", "country")
    ]
    blocks = list(FraudBlock.objects.filter(Q(created_at__gte=since) | Q(lifted_at=None, blocked_until__gt=now))[:200])
    for block in blocks:
        block.active = block.is_active(now)
    return {"countries": countries, "blocks": blocks}


def fraud_blocks_now():
    """The fraud guard's blocks that hold now, newest first."""
    from .fraud import active_blocks

    return list(active_blocks(now=clock.now())[:500])
