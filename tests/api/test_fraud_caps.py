"""The fraud guard's first lines (contract section 10): number types never sent to,
and caps per country per hour and for all sends."""

import pytest

from verification.contrib.sandbox.models import InboxEntry
from verification.models import Delivery, VerificationAttempt

pytestmark = pytest.mark.django_db

PREMIUM = ["+19002345670", "+449012345678", "+499001234567", "+33891123456"]


def create(api, number, channel="sms"):
    return api.post("/api/v1/verifications", {"phone_number": number, "channel": channel}, format="json")


@pytest.mark.parametrize("number", PREMIUM)
@pytest.mark.parametrize("channel", ["sms", "call"])
def test_premium_rate_numbers_are_refused_before_anything_is_sent(api, number, channel):
    response = create(api, number, channel)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["code"], error["attr"]) == ("number_type_not_allowed", "phone_number")
    assert not VerificationAttempt.objects.exists() and not InboxEntry.objects.exists()


def test_the_blocked_types_are_a_setting(api, settings):
    settings.VERIFICATION_BLOCKED_NUMBER_TYPES = ["shared_cost"]
    assert create(api, "+19002345670").status_code == 201


def test_a_country_over_its_hourly_cap_gets_429_with_retry_after(api, settings):
    settings.VERIFICATION_MAX_SENDS_PER_COUNTRY_PER_HOUR = 3
    for n in range(3):
        assert create(api, f"+1415555{1300 + n:04d}").status_code == 201
    refused = create(api, "+14155551399")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 3000  # the hour's oldest send frees the first slot
    assert refused.json()["errors"][0]["code"] == "too_many_sends_to_country"
    assert create(api, "+447400123456").status_code == 201  # other countries go on


def test_a_per_country_override_wins_over_the_general_cap(api, settings):
    settings.VERIFICATION_COUNTRY_SEND_LIMITS = ["GB=1"]
    assert create(api, "+447400123456").status_code == 201
    second = create(api, "+447400123457")
    assert second.json()["errors"][0]["code"] == "too_many_sends_to_country", second.json()
    assert create(api, "+14155551301").status_code == 201


def test_all_sends_together_have_an_hourly_budget(api, settings):
    settings.VERIFICATION_MAX_SENDS_PER_HOUR = 2
    assert create(api, "+14155551301").status_code == 201
    assert create(api, "+447400123456").status_code == 201
    refused = create(api, "+4915112345678")
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "send_budget_exhausted"
    assert Delivery.objects.count() == 2


def test_a_resend_counts_against_the_caps_too(api, settings, clock):
    settings.VERIFICATION_MAX_SENDS_PER_COUNTRY_PER_HOUR = 1
    created = create(api, "+14155551301").json()
    clock.advance(31)
    refused = api.post(f"/api/v1/verifications/{created['id']}/resend", {}, format="json")
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "too_many_sends_to_country"
