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
    # The row lock, then the counted guess and its audit line in one statement, in one
    # transaction (the test's savepoint here).
    assert [s for s in sent if s not in ("SAVEPOINT", "RELEASE")] == ["SELECT", "WITH"]
    verification.refresh_from_db()
    assert verification.failed_checks == 2
    assert list(verification.audit_events.filter(event="check").values_list("outcome", flat=True)) == ["invalid"] * 2


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


def test_the_written_out_check_answer_is_what_the_fields_give(key):
    from verification.api.serializers import CheckOutput

    api_key, _ = key
    wrong_one, right_one = made(api_key, "+14155550107", channel="sms"), made(api_key, "+14155550108", channel="sms")
    results = [
        services.verification_check(verification_id=wrong_one.id, code="0000000"),  # wrong
        services.verification_check(verification_id=right_one.id, code=code_of(right_one)),  # right
        services.verification_check(verification_id=right_one.id, code=code_of(right_one)),  # refused: it ended
    ]
    for result in results:
        assert CheckOutput(result).data == serializers.Serializer.to_representation(CheckOutput(), result)


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        (lambda code: {"code": code}, 200, None),
        (lambda code: {"code": f" {code}\n"}, 200, None),  # trimmed, as the field trims it
        (lambda code: {"code": int(code)}, 400, [("code", "invalid")]),  # a number is not the string typed
        (lambda code: {"code": "12"}, 400, [("code", "invalid")]),
        (lambda code: {"code": "١٢٣٤٥٦"}, 400, [("code", "invalid")]),  # other scripts' digits are not digits here
        (lambda code: {"code": True}, 400, [("code", "invalid")]),
        (lambda code: {"code": code, "extra": 1}, 400, [("extra", "unknown_field")]),
        (lambda code: {}, 400, [("code", "required")]),
        (lambda code: [code], 400, [(None, "invalid")]),  # no one field: attr is null
    ],
    ids=["digits", "spaced", "number", "short", "arabic-indic", "bool", "unknown-field", "empty", "list"],
)
def test_a_check_body_is_judged_as_the_fields_judge_it(key, body, status, errors):
    api_key, secret = key
    verification = made(api_key, "+14155550109", channel="sms")
    code = code_of(verification)
    response = client_for(secret).post(f"{URL}/{verification.id}/check", body(code), format="json")
    assert response.status_code == status, response.content
    if errors is None:
        assert response.json()["valid"] is True and response.json()["status"] == "approved"
    else:
        assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == errors


def test_a_check_by_number_without_its_number_is_refused_as_before(key):
    api_key, secret = key
    verification = made(api_key, "+14155550110", channel="sms")
    response = client_for(secret).post(f"{URL}/check", {"code": code_of(verification)}, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("phone_number", "required")]


@pytest.mark.parametrize("webhook", ["https://hooks.example.com/otp", None])
def test_a_right_check_reads_the_webhook_with_its_row_lock(key, webhook):
    from verification.models import WebhookMessage
    from verification.webhooks.outbox import endpoint_create

    api_key, secret = key
    if webhook:
        endpoint_create(api_key=api_key, url=webhook)
    verification = made(api_key, "+14155550111", channel="sms")
    client = client_for(secret)
    client.get(f"{URL}/{verification.id}")  # the key is cached
    sent, response = statements(client, "post", f"{URL}/{verification.id}/check", {"code": code_of(verification)})
    assert response.json()["valid"] is True
    # The lock (with the key's webhook), the end and its audit line; with a webhook, the event:
    # its payload's deliveries read, and the outbox row. No statement of its own for the webhook.
    expected = ["SELECT", "WITH", "SELECT", "INSERT"] if webhook else ["SELECT", "WITH"]
    assert [s for s in sent if s not in ("SAVEPOINT", "RELEASE")] == expected
    events = WebhookMessage.objects.filter(verification=verification)
    assert [(m.url, m.event_type) for m in events] == ([(webhook, "verification.approved")] if webhook else [])


@pytest.mark.parametrize(
    ("accept", "query", "status", "indented"),
    [
        (None, "", 200, False),
        ("*/*", "", 200, False),
        ("application/json", "", 200, False),
        ("application/json; indent=2", "", 200, True),  # negotiated as DRF does: its parameters honoured
        ("text/html", "", 406, False),
        (None, "?format=xml", 404, False),
    ],
)
def test_an_answer_is_negotiated_as_drf_negotiates_it(key, accept, query, status, indented):
    api_key, secret = key
    verification = made(api_key, "+14155550112", channel="sms")
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client_for(secret).get(f"{URL}/{verification.id}{query}", **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.content.startswith(b'{\n  "') is indented


def test_each_loaded_verification_has_its_own_phone_number(key):
    from django.db import transaction

    from verification.services import statements as written

    api_key, _ = key
    verification = made(api_key, "+14155550113", channel="sms")
    with transaction.atomic():
        first = written.verification_locked(verification.pk)
        second = written.verification_locked(verification.pk)
    orm = VerificationAttempt.objects.get(pk=verification.pk).phone_number
    assert first.phone_number == second.phone_number == orm and first.phone_number.as_e164 == "+14155550113"
    assert first.phone_number is not second.phone_number  # parsed once, but never shared
