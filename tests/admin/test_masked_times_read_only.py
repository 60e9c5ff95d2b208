"""The admin as staff read it: two numbers never look alike, audit times to the second,
and a verification's page is a view with nothing to save."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from verification import services
from verification.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_numbers_that_differ_near_the_end_look_different_while_masked(admin_client):
    services.verification_create(phone_number="+14155550123", channel="call")
    services.verification_create(phone_number="+14155550223", channel="call")
    for name in ("verificationattempt", "delivery", "auditevent"):
        body = admin_client.get(reverse(f"admin:verification_{name}_changelist")).content.decode()
        assert "+1 415 ••• 0123" in body and "+1 415 ••• 0223" in body, name
        assert "4155550123" not in body and "4155550223" not in body, name


def test_the_audit_list_shows_times_to_the_second(admin_client):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    event = AuditEvent.objects.filter(verification=verification).first()
    shown = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in admin_client.get(reverse("admin:verification_auditevent_changelist")).content.decode()
    assert shown in admin_client.get(reverse("admin:verification_auditevent_change", args=[event.pk])).content.decode()
    page = admin_client.get(reverse("admin:verification_verificationattempt_change", args=[verification.pk]))
    assert shown in page.content.decode()  # the verification's own trail, inline


def test_a_verifications_page_is_read_only_with_no_save_buttons(admin_client):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    body = admin_client.get(
        reverse("admin:verification_verificationattempt_change", args=[verification.pk])
    ).content.decode()
    assert not re.search(r'name="_save"|name="_continue"|name="_addanother"', body)
    assert 'value="Save' not in body
    assert "Close" in body  # the view's only button
    posted = admin_client.post(
        reverse("admin:verification_verificationattempt_change", args=[verification.pk]), {"status": "approved"}
    )
    assert posted.status_code == 403
    verification.refresh_from_db()
    assert verification.status == "pending"


def test_the_list_still_cancels_for_those_who_may_change(admin_client):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    listing = admin_client.get(reverse("admin:verification_verificationattempt_changelist")).content.decode()
    assert 'value="cancel_selected"' in listing
    admin_client.post(
        reverse("admin:verification_verificationattempt_changelist"),
        {"action": "cancel_selected", "_selected_action": [str(verification.pk)]},
    )
    verification.refresh_from_db()
    assert verification.status == "canceled"


def test_the_accounts_audit_list_shows_times_to_the_second_too(admin_client):
    from verification.contrib.accounts.audit import account_event
    from verification.services import Actor

    event = account_event(event="login", outcome="throttled", actor=Actor(type="user", name="ada", ip="198.51.100.2"))
    shown = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in admin_client.get("/admin/accounts/accountevent/").content.decode()
