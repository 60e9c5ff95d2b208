"""The hot paths: the answers they give, and how many statements they send to PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from tests.api.conftest import client_for
from tests.helpers import code_of
from verification import services
from verification.api.serializers import VerificationOutput
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db

URL = "/api/v1/verifications"


def field_by_field(verification):
    """The answer as DRF's fields write it, one by one."""
    data = serializers.ModelSerializer.to_representation(VerificationOutput(), verification)
    if verification.voice_mode != "keypad":
        data.pop("keypad_code")
    return data


def statements(client, method, path, body=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, body, format="json")
    assert response.status_code < 300, response.content
    return [query["sql"].split()[0] for query in captured.captured_queries], response


@pytest.fixture
def key(db):
    from rest_framework_api_key.models import APIKey

    return APIKey.objects.create_key(name="acme")


def made(api_key, number, **kwargs):
    return services.verification_create(phone_number=number, api_key=api_key, **kwargs)


def test_the_written_out_answer_is_what_the_fields_give(key, settings):
    api_key, _ = key
    pending = made(api_key, "+14155550101", channel="auto")
    services.workflow_advance(verification_id=pending.id, reason="fallback_timer")  # a second delivery
    approved = made(api_key, "+14155550102", channel="call")
    services.verification_check(verification_id=approved.id, code=code_of(approved))
    settings.VERIFICATION_VOICE_MODE = "keypad"
    keypad = made(api_key, "+14155550103", channel="call")
    for verification in (pending, approved, keypad):
        fresh = VerificationAttempt.objects.prefetch_related("deliveries").get(pk=verification.pk)
        assert VerificationOutput(fresh).data == field_by_field(fresh)
    assert "keypad_code" in VerificationOutput(keypad).data and "keypad_code" not in VerificationOutput(pending).data


def test_a_read_is_one_select_once_the_key_is_cached(key):
    api_key, secret = key
    verification = made(api_key, "+14155550104", channel="auto")
    services.workflow_advance(verification_id=verification.id, reason="fallback_timer")  # a second delivery
    client = client_for(secret)
    client.get(f"{URL}/{verification.id}")  # the key is cached
    sent, response = statements(client, "get", f"{URL}/{verification.id}")
    assert sent == ["SELECT"]  # the verification and its deliveries, together
    assert [d["channel"] for d in response.json()["deliveries"]] == ["sms", "call"]  # oldest first
    fresh = VerificationAttempt.objects.prefetch_related("deliveries").get(pk=verification.pk)
    assert response.json() == VerificationOutput(fresh).data


def test_a_check_locks_the_row_without_reading_its_deliveries(key):
    api_key, secret = key
    verification = made(api_key, "+14155550105", channel="call")
    client = client_for(secret)
    wrong = "".join(str((int(d) + 1) % 10) for d in code_of(verification))
    client.post(f"{URL}/{verification.id}/check", {"code": wrong}, format="json")  # the key is cached
    sent, response = statements(client, "post", f"{URL}/{verification.id}/check", {"code": wrong})
    assert response.json()["checks_remaining"] == verification.max_checks - 2
    # The row lock, the counted guess and its audit line, in one transaction (the test's savepoint here).
    assert [s for s in sent if s not in ("SAVEPOINT", "RELEASE")] == ["SELECT", "UPDATE", "INSERT"]


def test_a_create_answers_from_what_it_wrote(key):
    api_key, secret = key
    client = client_for(secret)
    client.get(f"{URL}/{VerificationAttempt.objects.model().id}")  # the key is cached
    sent, response = statements(client, "post", URL, {"phone_number": "+14155550106", "channel": "call"})
    assert response.status_code == 201
    assert response.json()["deliveries"][0]["status"] == "queued"
    # Neither the verification nor its delivery read again after the writes.
    reads_after_the_writes = sent[len(sent) - sent[::-1].index("INSERT") :]
    assert [s for s in reads_after_the_writes if s not in ("SAVEPOINT", "RELEASE")] == []
    fresh = VerificationAttempt.objects.prefetch_related("deliveries").get(pk=response.json()["id"])
    assert response.json() == VerificationOutput(fresh).data
