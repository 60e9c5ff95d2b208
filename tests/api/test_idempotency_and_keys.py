"""Idempotent creates, API keys made by the command, bounded queries."""

import uuid

import pytest
from django.core.management import call_command
from rest_framework_api_key.models import APIKey

from tests.api.conftest import client_for
from tests.helpers import code_of
from verification.models import Delivery, VerificationAttempt

pytestmark = pytest.mark.django_db

URL = "/api/v1/verifications"
BODY = {"phone_number": "+14155550123", "channel": "call"}


def test_a_retried_create_with_the_same_key_returns_the_first_answer_and_sends_nothing_more(api):
    key = str(uuid.uuid4())
    first = api.post(URL, BODY, format="json", headers={"Idempotency-Key": key})
    again = api.post(URL, BODY, format="json", headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert VerificationAttempt.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_a_replay_answers_with_the_verification_as_it_is_now_and_no_body_is_kept(api):
    from verification.models import IdempotencyRecord

    key = str(uuid.uuid4())
    first = api.post(URL, BODY, format="json", headers={"Idempotency-Key": key}).json()
    api.post(f"{URL}/{first['id']}/cancel")
    again = api.post(URL, BODY, format="json", headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["id"] == first["id"]
    assert again.json()["status"] == "canceled"
    [record] = IdempotencyRecord.objects.values()
    assert set(record) == {"id", "api_key_id", "key", "request_hash", "response_status", "verification_id", "created_at"}


def test_the_same_key_with_another_body_is_422(api):
    key = str(uuid.uuid4())
    api.post(URL, BODY, format="json", headers={"Idempotency-Key": key})
    response = api.post(URL, {**BODY, "phone_number": "+14155550124"}, format="json", headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert VerificationAttempt.objects.count() == 1


def test_a_refused_create_can_be_retried_with_the_same_key(api, clock):
    key = str(uuid.uuid4())
    api.post(URL, BODY, format="json")
    assert api.post(URL, BODY, format="json", headers={"Idempotency-Key": key}).status_code == 429
    clock.advance(30)
    assert api.post(URL, BODY, format="json", headers={"Idempotency-Key": key}).status_code == 201


def test_idempotency_keys_belong_to_one_api_key(api, other_api):
    key = str(uuid.uuid4())
    api.post(URL, BODY, format="json", headers={"Idempotency-Key": key})
    response = other_api.post(URL, {**BODY, "phone_number": "+14155550124"}, format="json", headers={"Idempotency-Key": key})
    assert response.status_code == 201


def test_create_api_key_prints_a_working_key_alone_on_the_last_line(capsys):
    call_command("create_api_key", "acme")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    api_key = APIKey.objects.get_from_key(key)
    assert api_key.name == "acme"
    assert key not in str(api_key.hashed_key)  # stored hashed
    assert client_for(key).post(URL, BODY, format="json").status_code == 201


def test_create_makes_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        assert api.post(URL, BODY, format="json").status_code == 201


def test_get_makes_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    verification_id = api.post(URL, BODY, format="json").json()["id"]
    with django_assert_max_num_queries(4):
        assert api.get(f"{URL}/{verification_id}").status_code == 200


def test_check_makes_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    verification_id = api.post(URL, BODY, format="json").json()["id"]
    code = code_of(VerificationAttempt.objects.get(pk=verification_id))
    with django_assert_max_num_queries(8):
        assert api.post(f"{URL}/{verification_id}/check", {"code": code}, format="json").status_code == 200


def test_idempotency_keys_are_forgotten_after_a_day(api, clock):
    from verification.tasks import expire_due

    key = str(uuid.uuid4())
    api.post(URL, BODY, format="json", headers={"Idempotency-Key": key})
    clock.advance(24 * 3600 + 1)
    expire_due()
    again = api.post(URL, BODY, format="json", headers={"Idempotency-Key": key})
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert VerificationAttempt.objects.count() == 2
