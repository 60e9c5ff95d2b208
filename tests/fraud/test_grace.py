"""A send is judged once it had VERIFICATION_FRAUD_GRACE_SECONDS to be used: a burst of real
people, most still reading their code, is not a pumped range; pumping is cut off all the same,
as soon as its first sends are that old. In Redis and in the embedded default's file cache."""

import pytest

from tests.helpers import code_of
from verification import ratelimit, services
from verification.exceptions import DeliveryBlocked
from verification.models import FraudBlock

from .conftest import MIN_SENDS, pumped

pytestmark = pytest.mark.django_db

GRACE = 60


@pytest.fixture(autouse=True, params=["redis", "file"])
def store(request, settings, tmp_path):
    settings.VERIFICATION_FRAUD_GRACE_SECONDS = GRACE
    if request.param == "file":
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "ratelimit": {"BACKEND": "verification.caches.WindowFileCache", "LOCATION": str(tmp_path)},
        }
        assert ratelimit._redis() is None
    return request.param


def send(number):
    return services.verification_create(phone_number=number, channel="sms")


def test_a_burst_of_people_signing_up_at_once_is_not_blocked(clock):
    """Three times MIN_SENDS in the same seconds, a fifth of them typing their code at once."""
    numbers = pumped(3 * MIN_SENDS)
    for i, number in enumerate(numbers):
        verification = send(number)
        if i % 5 == 0:
            assert services.verification_check(verification_id=verification.id, code=code_of(verification)).valid
        clock.advance(0.5)
    assert not FraudBlock.objects.exists()


def test_the_people_of_a_burst_who_use_their_codes_keep_the_range_open(clock):
    people = [send(number) for number in pumped(MIN_SENDS + 5)]
    clock.advance(GRACE / 2)
    for verification in people[: len(people) // 2]:  # half of them, within the minute
        assert services.verification_check(verification_id=verification.id, code=code_of(verification)).valid
    clock.advance(GRACE)
    send(pumped(40)[30])
    assert not FraudBlock.objects.exists()


def test_pumping_is_cut_off_once_its_first_sends_are_grace_old(clock):
    sent = 0
    with pytest.raises(DeliveryBlocked):
        for number in pumped(200):
            send(number)
            sent += 1
            clock.advance(2)  # a bot's pace: 30 a minute to one range, nobody typing a code
    # The 40th, at 78 s, is the first to find MIN_SENDS sends (those of 0-18 s) a grace old.
    assert sent == 39
    block = FraudBlock.objects.get()
    assert (block.scope, block.subject, block.approvals) == ("range", "+1212555", 0)


def test_with_no_grace_every_send_is_judged_at_once(settings):
    settings.VERIFICATION_FRAUD_GRACE_SECONDS = 0
    for number in pumped(MIN_SENDS):
        send(number)
    with pytest.raises(DeliveryBlocked):
        send(pumped(20)[15])
