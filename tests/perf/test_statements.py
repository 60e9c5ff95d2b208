"""The hot paths' statements written once (verification/services/statements.py): the rows
they build are the ORM's, and every rule they could have broken still holds."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework_api_key.models import APIKey

from tests.api.conftest import client_for
from tests.helpers import code_of, signed_post
from verification import services
from verification.models import AuditEvent, Delivery, VerificationAttempt, WebhookMessage
from verification.services import statements
from verification.services.audit import audit
from verification.webhooks.outbox import endpoint_create

URL = "/api/v1/verifications"
CALL = {"CallUUID": "call-uuid-1", "From": "14155550100", "To": "14155550123", "Direction": "outbound"}


def wrong(code):
    return "".join(str((int(d) + 1) % 10) for d in code)


def fields_of(instance):
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.fixture
def keys(db):
    return APIKey.objects.create_key(name="acme"), APIKey.objects.create_key(name="other")


@pytest.mark.django_db
def test_the_rows_built_are_the_orms(keys):
    (api_key, _), _ = keys
    verification = services.verification_create(phone_number="+14155550101", channel="auto", api_key=api_key)
    services.workflow_advance(verification_id=verification.id, reason="fallback_timer")
    with transaction.atomic():
        locked = statements.verification_locked(verification.id, api_key_id=api_key.pk, by_key=True)
    read = statements.verification_with_deliveries(verification.id, api_key_id=api_key.pk)
    orm = VerificationAttempt.objects.prefetch_related("deliveries").get(pk=verification.id)
    assert fields_of(locked) == fields_of(read) == fields_of(orm)
    assert str(read.phone_number) == "+14155550101" and read.phone_number.as_e164 == orm.phone_number.as_e164
    assert [fields_of(d) for d in read.deliveries.all()] == [fields_of(d) for d in orm.deliveries.all()]
    assert read.deliveries.filter(channel="call").count() == 1  # still the verification's own deliveries
    with transaction.atomic():
        delivery = statements.delivery_locked(orm.deliveries.all()[0].id)
    assert fields_of(delivery) == fields_of(Delivery.objects.get(pk=delivery.pk))
    assert fields_of(delivery.verification) == fields_of(orm)


@pytest.mark.django_db
def test_an_audit_line_written_once_reads_back_as_written(keys):
    (api_key, _), _ = keys
    verification = services.verification_create(phone_number="+14155550102", channel="call", api_key=api_key)
    actor = services.Actor(type="api_key", name="acme", ip="2001:db8::1")
    with transaction.atomic():
        line = audit(verification, "check", actor=actor, now=verification.created_at,
                                    outcome="invalid", detail_key={"nested": [1, "two"]})  # fmt: skip
    stored = AuditEvent.objects.get(pk=line.pk)
    assert fields_of(stored) == fields_of(line)
    assert stored.detail == {"detail_key": {"nested": [1, "two"]}} and stored.ip == "2001:db8::1"


@pytest.mark.django_db
def test_a_key_neither_reads_nor_checks_another_keys_verification(keys):
    (api_key, secret), (_, other_secret) = keys
    verification = services.verification_create(phone_number="+14155550103", channel="call", api_key=api_key)
    other = client_for(other_secret)
    assert other.get(f"{URL}/{verification.id}").status_code == 404
    checked = other.post(f"{URL}/{verification.id}/check", {"code": code_of(verification)}, format="json")
    assert checked.status_code == 404
    verification.refresh_from_db()
    assert verification.status == "pending" and verification.failed_checks == 0
    assert not AuditEvent.objects.filter(verification=verification, event="check").exists()
    assert client_for(secret).get(f"{URL}/{verification.id}").json()["status"] == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize("verification_id", ["not-a-uuid", str(uuid.uuid4())])
def test_an_unknown_or_malformed_id_is_404(keys, verification_id):
    (_, secret), _ = keys
    client = client_for(secret)
    assert client.get(f"{URL}/{verification_id}").status_code == 404
    assert client.post(f"{URL}/{verification_id}/check", {"code": "123456"}, format="json").status_code == 404


@pytest.mark.django_db
def test_a_check_rolled_back_leaves_neither_its_counted_guess_nor_its_audit_line(keys):
    (api_key, _), _ = keys
    verification = services.verification_create(phone_number="+14155550104", channel="call", api_key=api_key)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.verification_check(verification_id=verification.id, code=wrong(code_of(verification)), api_key=api_key)
        raise RuntimeError("the caller's transaction fails")
    verification.refresh_from_db()
    assert verification.failed_checks == 0
    assert not AuditEvent.objects.filter(verification=verification, event="check").exists()


@pytest.mark.django_db
def test_a_sites_own_save_receivers_still_fire(keys):
    (api_key, _), _ = keys
    verification = services.verification_create(phone_number="+14155550105", channel="call", api_key=api_key)
    saved = []

    def receiver(sender, instance, **kwargs):
        saved.append((sender.__name__, kwargs.get("update_fields")))

    post_save.connect(receiver, sender=VerificationAttempt)
    post_save.connect(receiver, sender=AuditEvent)
    try:
        services.verification_check(verification_id=verification.id, code=code_of(verification), api_key=api_key)
    finally:
        post_save.disconnect(receiver, sender=VerificationAttempt)
        post_save.disconnect(receiver, sender=AuditEvent)
    assert ("VerificationAttempt", frozenset({"status", "ended_at", "code_encrypted", "failed_checks"})) in saved
    assert ("AuditEvent", None) in saved


@pytest.mark.django_db
def test_an_end_is_told_to_the_keys_webhook_and_not_to_a_key_without_one(keys):
    (api_key, _), (other_key, _) = keys
    endpoint_create(api_key=api_key, url="https://hooks.example.com/otp")
    with_hook = services.verification_create(phone_number="+14155550106", channel="call", api_key=api_key)
    without = services.verification_create(phone_number="+14155550107", channel="call", api_key=other_key)
    for verification, key in ((with_hook, api_key), (without, other_key)):
        services.verification_check(verification_id=verification.id, code=code_of(verification), api_key=key)
    approved = WebhookMessage.objects.filter(event_type="verification.approved")
    assert [(m.verification_id, m.url) for m in approved] == [(with_hook.id, "https://hooks.example.com/otp")]


@pytest.mark.django_db
def test_the_answer_locks_its_delivery_once_and_records_it_in_one_transaction(client, keys):
    (api_key, _), _ = keys
    verification = services.verification_create(phone_number="+14155550108", channel="call", api_key=api_key)
    delivery = verification.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="sent")
    url = reverse("plivo-voice-answer", args=[delivery.id])
    with CaptureQueriesContext(connection) as captured:
        response = signed_post(client, url, {**CALL, "CallStatus": "in-progress", "CallUUID": "uuid-of-the-call"})
    assert response.status_code == 200
    locks = [q["sql"] for q in captured.captured_queries if q["sql"].endswith("FOR UPDATE")]
    assert len(locks) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.provider_id) == ("answered", "uuid-of-the-call")
    line = AuditEvent.objects.get(delivery=delivery, event="delivery_status")
    assert (line.from_status, line.to_status, line.actor_type) == ("sent", "answered", "carrier")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("live_site")
def test_parallel_wrong_checks_by_one_key_are_each_counted_under_the_lock(settings):
    settings.VERIFICATION_MAX_CHECKS = 4
    api_key, _ = APIKey.objects.create_key(name="acme")
    verification = services.verification_create(phone_number="+14155550109", channel="call", api_key=api_key)
    guess = wrong(code_of(verification))

    def check(_):
        try:
            return services.verification_check(verification_id=verification.id, code=guess, api_key=api_key)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(check, range(8)))
    verification.refresh_from_db()
    assert (verification.failed_checks, verification.status) == (4, "max_attempts_reached")
    assert sum(1 for r in results if r.refused) == 4
    assert AuditEvent.objects.filter(verification=verification, event="check", outcome="invalid").count() == 4
