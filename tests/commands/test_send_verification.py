"""`manage.py send_verification`: a call from the command line, with clear errors."""

import pytest
from django.core.management import CommandError, call_command

from tests.helpers import inbox
from verification.contrib.sandbox import simulator
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_places_the_call_and_prints_the_id_and_status(live_site, capsys):
    call_command("send_verification", "+14155550123", "--channel", "call")
    out = capsys.readouterr().out
    verification = VerificationAttempt.objects.get()
    assert f"id: {verification.id}" in out
    assert "status: pending" in out
    assert "delivery: call" in out
    simulator.wait_until_idle(timeout=15)
    [call] = inbox(live_site, "+14155550123")
    assert "verification code is" in call["text"]


def test_an_invalid_number_is_a_clear_error():
    with pytest.raises(CommandError, match="not a valid phone number"):
        call_command("send_verification", "+1415", "--channel", "call")


def test_a_country_not_allowed_is_a_clear_error(settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["US"]
    with pytest.raises(CommandError, match="from GB are not accepted"):
        call_command("send_verification", "+447400123456", "--channel", "call")


def test_the_cooldown_says_how_long_to_wait(live_site):
    call_command("send_verification", "+14155550123", "--channel", "call")
    with pytest.raises(CommandError, match=r"Try again in (29|30) seconds"):
        call_command("send_verification", "+14155550123", "--channel", "call")
