"""Keypad mode: the page shows the code, the person types it on the phone during the call."""

import pytest
import requests

from tests.helpers import inbox, wait_for
from verification import services
from verification.contrib.sandbox import simulator
from verification.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def keypad(settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    settings.VERIFICATION_VOICE_KEYPAD_TIMEOUT_SECONDS = 2  # calls nobody types into end quickly


def press(live_site, number, digits):
    call = wait_for(lambda: inbox(live_site, number), message="the call")[0]
    session = requests.Session()
    session.trust_env = False
    response = session.post(f"{live_site.url}/sandbox/calls/{call['id']}/press", data={"digits": digits}, timeout=10)
    assert response.status_code == 202


def test_typing_the_shown_code_approves(live_site):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    press(live_site, "+14155550123", verification.keypad_code)
    simulator.wait_until_idle(timeout=20)
    verification.refresh_from_db()
    assert verification.status == "approved"
    [call] = inbox(live_site, "+14155550123")
    assert "Please type the code shown on your screen" in call["text"]
    assert call["text"].endswith("Thank you. Your phone number is verified. Goodbye.")
    assert ", ".join(verification.code_hash[:3]) not in call["text"]
    check = AuditEvent.objects.get(verification=verification, event="check")
    assert (check.actor_type, check.outcome) == ("phone", "valid")


def test_wrong_digits_count_as_a_check_and_the_call_asks_again(live_site):
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    code = verification.keypad_code
    wrong = "".join(str((int(d) + 1) % 10) for d in code)
    press(live_site, "+14155550123", wrong)
    wait_for(lambda: AuditEvent.objects.filter(verification=verification, event="check").exists(), message="the check")
    press(live_site, "+14155550123", code)
    simulator.wait_until_idle(timeout=20)
    verification.refresh_from_db()
    assert (verification.status, verification.failed_checks) == ("approved", 1)
    assert "That code is not correct." in inbox(live_site, "+14155550123")[0]["text"]


def test_the_call_gives_up_after_its_retries(live_site, settings):
    settings.VERIFICATION_VOICE_KEYPAD_TIMEOUT_SECONDS = 1
    settings.VERIFICATION_VOICE_KEYPAD_RETRIES = 2
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    simulator.wait_until_idle(timeout=20)
    [call] = inbox(live_site, "+14155550123")
    assert call["text"].count("Please type the code shown on your screen") == 2
    assert call["text"].endswith("We did not receive a code. Goodbye.")
    verification.refresh_from_db()
    assert verification.deliveries.get().status == "no_answer"  # nobody typed: no person was reached
    assert verification.status == "failed"


def test_the_api_shows_the_keypad_code_only_in_keypad_mode(live_site, settings):
    from rest_framework.test import APIClient
    from rest_framework_api_key.models import APIKey

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {APIKey.objects.create_key(name='acme')[1]}")
    keypad = api.post("/api/v1/verifications", {"phone_number": "+14155550123", "channel": "call"}, format="json").json()
    assert keypad["keypad_code"].isdigit() and len(keypad["keypad_code"]) == 6
    settings.VERIFICATION_VOICE_MODE = "read"
    read = api.post("/api/v1/verifications", {"phone_number": "+14155550124", "channel": "call"}, format="json").json()
    assert "keypad_code" not in read
    simulator.wait_until_idle(timeout=20)


def test_the_shown_code_cannot_be_checked_anywhere_but_on_the_phone(live_site):
    from verification.exceptions import KeypadOnly

    verification = services.verification_create(phone_number="+14155550123", channel="call")
    with pytest.raises(KeypadOnly):
        services.verification_check(verification_id=verification.id, code=verification.keypad_code)
    verification.refresh_from_db()
    assert (verification.status, verification.failed_checks) == ("pending", 0)
    simulator.wait_until_idle(timeout=20)


def test_keypad_mode_applies_to_calls_only(live_site):
    verification = services.verification_create(phone_number="+14155550123", channel="sms")
    assert (verification.voice_mode, verification.keypad_code) == ("read", None)
    simulator.wait_until_idle(timeout=20)
