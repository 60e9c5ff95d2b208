"""verification_create: a new code for a number, delivered once, rules first."""

import pytest

from verification import services
from verification.codes import decrypt_code
from verification.exceptions import (
    ChannelNotAvailable,
    CountryNotAllowed,
    InvalidPhoneNumber,
    Throttled,
)
from verification.models import AuditEvent, Delivery, Status, VerificationAttempt

pytestmark = pytest.mark.django_db


def test_a_new_verification_is_pending_with_a_code_of_the_configured_length(settings):
    settings.VERIFICATION_CODE_LENGTH = 8
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    assert verification.status == Status.PENDING
    code = decrypt_code(verification.code_encrypted)
    assert code.isdigit() and len(code) == 8
    assert verification.checks_remaining == 5
    assert (verification.expires_at - verification.created_at).total_seconds() == 600


def test_the_number_is_stored_in_e164_with_its_country():
    verification = services.verification_create(phone_number="(415) 555-0123", country="US", channel="call")
    assert str(verification.phone_number) == "+14155550123"
    assert verification.country == "US"


def test_the_code_is_stored_only_as_a_keyed_hash_and_ciphertext():
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    code = decrypt_code(verification.code_encrypted)
    assert code not in verification.code_hash
    assert code.encode() not in bytes(verification.code_encrypted)
    assert len(verification.code_hash) == 64


def test_two_verifications_get_independent_codes():
    codes = set()
    for suffix in range(10, 30):
        verification = services.verification_create(phone_number=f"+141555501{suffix}", channel="call")
        codes.add(decrypt_code(verification.code_encrypted))
    assert len(codes) > 1


def test_a_call_verification_makes_one_queued_call_delivery():
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    [delivery] = verification.deliveries.all()
    assert (delivery.channel, delivery.status) == ("call", "queued")


def test_a_new_verification_supersedes_the_pending_one_for_the_same_number(clock, settings):
    first = services.verification_create(phone_number="+14155550123", channel="call")
    clock.advance(settings.VERIFICATION_RESEND_COOLDOWN_SECONDS)
    second = services.verification_create(phone_number="+14155550123", channel="call")
    first.refresh_from_db()
    assert first.status == Status.CANCELED
    assert first.code_encrypted is None
    assert second.status == Status.PENDING
    assert AuditEvent.objects.filter(verification=first, event="superseded", to_status="canceled").exists()
    assert VerificationAttempt.objects.filter(phone_number="+14155550123", status="pending").count() == 1


@pytest.mark.parametrize("raw", ["", "hello", "+1415", "+999123456789", "4155550123"])
def test_an_invalid_number_is_refused_and_nothing_is_written(raw):
    with pytest.raises(InvalidPhoneNumber) as error:
        services.verification_create(phone_number=raw, channel="call")
    assert error.value.attr == "phone_number"
    assert not VerificationAttempt.objects.exists()


def test_a_country_not_allowed_is_refused_before_anything_is_sent(settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["US", "CA"]
    with pytest.raises(CountryNotAllowed, match="GB"):
        services.verification_create(phone_number="+447400123456", channel="call")
    assert not Delivery.objects.exists()


def test_an_allowed_country_passes(settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["US", "CA"]
    assert services.verification_create(phone_number="+14155550123", channel="call").country == "US"


def test_sms_to_a_fixed_line_is_refused():
    with pytest.raises(ChannelNotAvailable):
        services.verification_create(phone_number="+442079460000", channel="sms")


def test_a_second_send_to_a_number_inside_the_cooldown_is_throttled_with_the_wait(clock):
    services.verification_create(phone_number="+14155550123", channel="call")
    clock.advance(10)
    with pytest.raises(Throttled) as error:
        services.verification_create(phone_number="+14155550123", channel="call")
    assert error.value.retry_after == 20
    assert VerificationAttempt.objects.count() == 1


def test_sends_to_a_number_are_capped_per_hour(clock, settings):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 3
    for _ in range(3):
        services.verification_create(phone_number="+14155550123", channel="call")
        clock.advance(31)
    with pytest.raises(Throttled) as error:
        services.verification_create(phone_number="+14155550123", channel="call")
    assert error.value.code == "too_many_sends"
    assert 3600 - 3 * 31 - 1 <= error.value.retry_after <= 3600 - 2 * 31
    clock.advance(error.value.retry_after)
    services.verification_create(phone_number="+14155550123", channel="call")


def test_verifications_from_one_ip_are_capped_per_hour(settings):
    settings.VERIFICATION_MAX_VERIFICATIONS_PER_IP_PER_HOUR = 2
    services.verification_create(phone_number="+14155550101", channel="call", client_ip="203.0.113.7")
    services.verification_create(phone_number="+14155550102", channel="call", client_ip="203.0.113.7")
    with pytest.raises(Throttled) as error:
        services.verification_create(phone_number="+14155550103", channel="call", client_ip="203.0.113.7")
    assert error.value.code == "too_many_verifications_from_ip"
    services.verification_create(phone_number="+14155550104", channel="call", client_ip="198.51.100.1")


def test_creation_is_written_to_the_audit_trail_without_the_code():
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    code = decrypt_code(verification.code_encrypted)
    events = list(AuditEvent.objects.filter(verification=verification).values_list("event", flat=True))
    assert "created" in events and "delivery_queued" in events
    for event in AuditEvent.objects.all():
        assert code not in str(event.detail)


def test_one_ipv6_user_is_capped_across_their_whole_64(settings):
    settings.VERIFICATION_MAX_VERIFICATIONS_PER_IP_PER_HOUR = 1
    services.verification_create(phone_number="+14155550101", channel="call", client_ip="2001:db8:1:2::1")
    with pytest.raises(Throttled):
        services.verification_create(phone_number="+14155550102", channel="call", client_ip="2001:db8:1:2:ffff::9")
    services.verification_create(phone_number="+14155550103", channel="call", client_ip="2001:db8:1:3::1")
