"""code_deliver: a code made elsewhere takes the road of our own codes, and is kept as ours are."""

import logging

import pytest

from tests.helpers import code_of, inbox
from verification import services
from verification.codes import code_matches
from verification.contrib.sandbox import simulator
from verification.exceptions import ChannelNotAvailable, Throttled
from verification.models import AuditEvent, Status

pytestmark = pytest.mark.django_db

NUMBER = "+14155550123"


def test_the_given_code_is_stored_as_ours_are_a_keyed_hash_and_the_ciphertext_the_call_reads():
    verification = services.code_deliver(phone_number=NUMBER, code="482915", channel="call")
    assert verification.status == Status.PENDING
    assert code_matches("482915", verification_id=verification.id, code_hash=verification.code_hash)
    assert "482915" not in verification.code_hash
    assert b"482915" not in bytes(verification.code_encrypted)
    assert code_of(verification) == "482915"


def test_the_trail_says_the_code_was_relayed_and_by_whom():
    actor = services.Actor(type="user", name="alice")
    verification = services.code_deliver(phone_number=NUMBER, code="482915", channel="sms", actor=actor)
    created = AuditEvent.objects.get(verification=verification, event="created")
    assert (created.actor_type, created.actor, created.detail) == ("user", "alice", {"channel": "sms", "relayed": True})
    assert AuditEvent.objects.filter(verification=verification, event="delivery_queued").exists()


def test_a_relayed_call_reads_the_code_even_in_keypad_mode(settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    assert services.code_deliver(phone_number=NUMBER, code="482915", channel="call").voice_mode == "read"
    assert services.verification_create(phone_number="+14155550124", channel="call").voice_mode == "keypad"


def test_the_number_cooldown_holds_for_relayed_codes_too():
    services.code_deliver(phone_number=NUMBER, code="482915", channel="call")
    with pytest.raises(Throttled) as refusal:
        services.code_deliver(phone_number=NUMBER, code="482916", channel="sms")
    assert refusal.value.code == "resend_cooldown"


def test_no_sms_to_a_fixed_line_whoever_made_the_code():
    with pytest.raises(ChannelNotAvailable):
        services.code_deliver(phone_number="+442079460000", code="482915", channel="sms")


@pytest.mark.parametrize("code", ["12345a", "123", "12345678901", 482915, ""])
def test_anything_but_4_to_10_digits_is_refused_without_being_echoed(code):
    with pytest.raises(ValueError) as refusal:
        services.code_deliver(phone_number=NUMBER, code=code, channel="call")
    assert str(code) not in str(refusal.value) or code == ""


def test_a_newer_code_supersedes_the_pending_one(clock, settings):
    first = services.code_deliver(phone_number=NUMBER, code="482915", channel="call")
    clock.advance(settings.VERIFICATION_RESEND_COOLDOWN_SECONDS)
    services.code_deliver(phone_number=NUMBER, code="771204", channel="call")
    first.refresh_from_db()
    assert (first.status, first.code_encrypted) == (Status.CANCELED, None)


def test_confirming_approves_the_relayed_verification_and_wipes_its_ciphertext():
    verification = services.code_deliver(phone_number=NUMBER, code="482915", channel="call")
    confirmed = services.code_confirm(phone_number=NUMBER, actor=services.Actor(type="user", name="alice"))
    assert confirmed.pk == verification.pk
    verification.refresh_from_db()
    assert (verification.status, verification.code_encrypted) == (Status.APPROVED, None)
    line = AuditEvent.objects.get(verification=verification, event="confirmed")
    assert (line.from_status, line.to_status, line.actor, line.detail) == (
        "pending",
        "approved",
        "alice",
        {"by": "device"},
    )


def test_confirming_touches_no_verification_made_with_our_own_code():
    ours = services.verification_create(phone_number=NUMBER, channel="call")
    assert services.code_confirm(phone_number=NUMBER) is None
    ours.refresh_from_db()
    assert ours.status == Status.PENDING


def test_an_expired_relayed_code_is_not_confirmed(clock, settings):
    verification = services.code_deliver(phone_number=NUMBER, code="482915", channel="call")
    clock.advance(settings.VERIFICATION_TTL_SECONDS)
    assert services.code_confirm(phone_number=NUMBER) is None
    verification.refresh_from_db()
    assert verification.status == Status.EXPIRED


@pytest.mark.django_db(transaction=True)
def test_the_relayed_code_reaches_the_phone_and_is_never_logged(live_site, caplog):
    with caplog.at_level(logging.DEBUG):
        services.code_deliver(phone_number=NUMBER, code="482915", channel="sms")
        simulator.wait_until_idle(timeout=15)
        [sms] = inbox(live_site, NUMBER)
        services.code_confirm(phone_number=NUMBER)
    assert "482915" in sms["text"]
    assert caplog.records  # the delivery and the callbacks were logged
    assert "482915" not in caplog.text
