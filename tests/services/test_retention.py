"""Retention: what is older than VERIFICATION_RETENTION_DAYS goes; nothing else does."""

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from verification import services
from verification.contrib.sandbox.models import InboxEntry
from verification.contrib.sandbox.tasks import purge_inbox
from verification.models import AuditEvent, Delivery, VerificationAttempt
from verification.tasks import purge

pytestmark = pytest.mark.django_db


def made(days_ago, clock, number):
    clock.current -= dt.timedelta(days=days_ago)
    try:
        return services.verification_create(phone_number=number, channel="sms")
    finally:
        clock.current += dt.timedelta(days=days_ago)


def test_ended_verifications_past_the_retention_go_with_their_deliveries_and_audit_rows(clock, settings):
    settings.VERIFICATION_RETENTION_DAYS = 90
    old = made(91, clock, "+14155550101")
    recent = made(89, clock, "+14155550102")
    assert services.verification_expire_due() == 2  # both ended long ago
    assert services.retention_purge() == 1
    assert list(VerificationAttempt.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Delivery.objects.filter(verification_id=old.pk).exists()
    assert not AuditEvent.objects.filter(verification_id=old.pk).exists()
    assert AuditEvent.objects.filter(verification_id=recent.pk).exists()


def test_a_pending_verification_is_never_purged_however_old(clock):
    pending = made(400, clock, "+14155550103")
    assert services.retention_purge() == 0
    assert VerificationAttempt.objects.filter(pk=pending.pk).exists()


def test_the_audit_trail_stays_append_only_outside_retention(clock):
    verification = made(0, clock, "+14155550104")
    event = AuditEvent.objects.filter(verification=verification).first()
    with pytest.raises(PermissionError):
        event.delete()


def test_the_hourly_purge_also_forgets_expired_sessions(clock):
    session = SessionStore()
    session.set_expiry(-1)
    session["x"] = 1
    session.save()
    assert Session.objects.filter(session_key=session.session_key).exists()
    purge.apply()
    assert not Session.objects.filter(session_key=session.session_key).exists()


def test_the_sandbox_inbox_keeps_a_day():
    from django.utils import timezone

    old = InboxEntry.objects.create(channel="sms", to_number="+14155550105", from_number="+14155550100", text="x")
    InboxEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    fresh = InboxEntry.objects.create(channel="sms", to_number="+14155550106", from_number="+14155550100", text="y")
    assert purge_inbox.apply().get() == 1
    assert list(InboxEntry.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_account_events_keep_as_long_as_the_verifications(settings):
    from django.utils import timezone

    from verification.contrib.accounts.models import AccountEvent
    from verification.contrib.accounts.tasks import purge_account_events

    settings.VERIFICATION_RETENTION_DAYS = 90
    old = AccountEvent.objects.create(event="phone_change", outcome="withheld", created_at=timezone.now() - dt.timedelta(days=91))
    fresh = AccountEvent.objects.create(event="phone_change", outcome="withheld", created_at=timezone.now())
    assert purge_account_events.apply().get() == 1
    assert list(AccountEvent.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not AccountEvent.objects.filter(pk=old.pk).exists()
