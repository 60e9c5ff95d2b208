"""The code is never logged, never in a URL, never stored in plain text."""

import logging

import pytest
from django.apps import apps
from django.db import connection

from tests.helpers import code_of, inbox
from verification import services
from verification.contrib.sandbox import callbacks, simulator
from verification.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


def every_row_as_text():
    """Every row of every table of ours, as PostgreSQL prints it."""
    rows = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            # The sandbox's tables are the phone's screen, not ours: the person may see the code there.
            if model._meta.app_label == "sandbox":
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT t::text FROM {table} t")
            rows += [row[0] for row in cursor.fetchall()]
    return "\n".join(rows)


def test_a_whole_verification_leaves_no_trace_of_the_code(live_site, caplog, capfd, settings):
    settings.VERIFICATION_CODE_LENGTH = 10  # so no timestamp or id can contain it by chance
    caplog.set_level(logging.DEBUG)
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    code = code_of(verification)
    simulator.wait_until_idle(timeout=15)
    [call] = inbox(live_site, "+14155550123")
    assert ", ".join(code) in call["text"]  # the phone heard it

    while_pending = every_row_as_text()
    services.verification_check(verification_id=verification.id, code="0" * 10 if code != "0" * 10 else "1" * 10)
    services.verification_check(verification_id=verification.id, code=code)
    after = every_row_as_text()

    out, err = capfd.readouterr()
    assert code not in caplog.text
    assert code not in out + err
    assert code not in while_pending and code not in after
    for record in caplog.records:
        assert code not in record.getMessage()
    for delivery in Delivery.objects.all():
        assert code not in delivery.error
    for url in callbacks.seen_urls():
        assert code not in url


def test_keypad_mode_over_the_api_with_idempotency_stores_no_plain_code(live_site, settings):
    import uuid

    from rest_framework.test import APIClient
    from rest_framework_api_key.models import APIKey

    settings.VERIFICATION_CODE_LENGTH = 10
    settings.VERIFICATION_VOICE_MODE = "keypad"
    settings.VERIFICATION_VOICE_KEYPAD_TIMEOUT_SECONDS = 1
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {APIKey.objects.create_key(name='acme')[1]}")
    key = str(uuid.uuid4())
    body = {"phone_number": "+14155550123", "channel": "call"}
    first = api.post("/api/v1/verifications", body, format="json", headers={"Idempotency-Key": key}).json()
    replay = api.post("/api/v1/verifications", body, format="json", headers={"Idempotency-Key": key}).json()
    assert replay["keypad_code"] == first["keypad_code"]
    simulator.wait_until_idle(timeout=15)
    assert first["keypad_code"] not in every_row_as_text()


@pytest.mark.parametrize(("api", "channel"), [("rest", "sms"), ("phlo", "call"), ("phlo", "sms")])
def test_sms_and_phlo_deliveries_leave_no_trace_of_the_code(live_site, caplog, capfd, settings, api, channel):
    settings.VERIFICATION_CODE_LENGTH = 10
    settings.VERIFICATION_PLIVO_API = api
    settings.PLIVO_PHLO_ID = "otp-phlo"
    caplog.set_level(logging.DEBUG)
    verification = services.verification_create(phone_number="+14155550123", channel=channel)
    code = code_of(verification)
    simulator.wait_until_idle(timeout=15)
    [entry] = inbox(live_site, "+14155550123")
    assert code in entry["text"].replace(", ", "")  # the phone got it
    services.verification_check(verification_id=verification.id, code=code)
    out, err = capfd.readouterr()
    assert code not in caplog.text and code not in out + err
    assert code not in every_row_as_text()
    for url in callbacks.seen_urls():
        assert code not in url
