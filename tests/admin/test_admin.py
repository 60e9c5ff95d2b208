"""The admin: masked numbers, filters, a read-only audit trail, cancel by an admin."""

import datetime

import pytest
from django.urls import reverse

from verification import services
from verification.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def verification():
    return services.verification_create(phone_number="+14155550123", channel="call")


def test_the_verification_list_masks_numbers(admin_client, verification):
    response = admin_client.get(reverse("admin:verification_verificationattempt_changelist"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "+1 415 ••• 0123" in body
    assert "4155550123" not in body


@pytest.mark.parametrize("query", ["status__exact=pending", "channel__exact=call", "country__exact=US", f"created_at__year={datetime.date.today().year}"])
def test_the_verification_list_filters(admin_client, verification, query):
    response = admin_client.get(reverse("admin:verification_verificationattempt_changelist") + "?" + query)
    assert response.status_code == 200
    assert "+1 415 ••• 0123" in response.content.decode()


def test_a_filter_that_matches_nothing_shows_nothing(admin_client, verification):
    response = admin_client.get(reverse("admin:verification_verificationattempt_changelist") + "?status__exact=approved")
    assert "+1 415 ••• 0123" not in response.content.decode()


def test_the_delivery_list_masks_numbers_and_filters_by_status(admin_client, verification):
    url = reverse("admin:verification_delivery_changelist")
    assert "+1 415 ••• 0123" in admin_client.get(url + "?status__exact=queued").content.decode()


def test_the_audit_trail_is_read_only(admin_client, verification):
    event = AuditEvent.objects.filter(verification=verification).first()
    assert admin_client.get(reverse("admin:verification_auditevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:verification_auditevent_add")).status_code == 403
    assert admin_client.post(reverse("admin:verification_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    change = admin_client.post(reverse("admin:verification_auditevent_change", args=[event.pk]), {"outcome": "x"})
    assert change.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).outcome == event.outcome


def test_an_admin_can_cancel_and_the_trail_names_the_admin(admin_client, admin_user, verification):
    response = admin_client.post(
        reverse("admin:verification_verificationattempt_changelist"),
        {"action": "cancel_selected", "_selected_action": [str(verification.pk)]},
    )
    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.status == "canceled"
    event = AuditEvent.objects.get(verification=verification, event="canceled")
    assert (event.actor_type, event.actor) == ("admin", admin_user.username)


def test_the_detail_page_shows_no_code_material(admin_client, verification):
    body = admin_client.get(reverse("admin:verification_verificationattempt_change", args=[verification.pk])).content.decode()
    assert verification.code_hash not in body
    assert "code_encrypted" not in body


def test_every_admin_page_names_the_sites_icon_so_browsers_do_not_ask_for_a_missing_favicon(client, admin_client, verification):
    pages = [
        client.get(reverse("admin:login")),
        admin_client.get(reverse("admin:index")),
        admin_client.get(reverse("admin:verification_verificationattempt_change", args=[verification.pk])),
        admin_client.get("/admin/verification/dashboard/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert 'rel="icon" href="/static/verification/favicon' in page.content.decode()
    assert "Django administration" in pages[0].content.decode()  # still Django's own branding
