"""The guard without Redis (the embedded default): the same algorithm over the file cache."""

import pytest
from django.core import mail

from tests.helpers import code_of
from verification import fraud, ratelimit, services
from verification.exceptions import DeliveryBlocked
from verification.models import FraudBlock

from .conftest import MIN_SENDS, pumped

pytestmark = pytest.mark.django_db

URL = "/api/v1/verifications"


@pytest.fixture(autouse=True)
def no_redis(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {"BACKEND": "verification.caches.WindowFileCache", "LOCATION": str(tmp_path)},
    }
    assert ratelimit._redis() is None


def test_pumping_is_cut_off_without_redis_and_converting_traffic_goes_on(api):
    statuses = []
    for i, number in enumerate(pumped(25)):
        statuses.append(api.post(URL, {"phone_number": number, "channel": "sms"}, format="json").status_code)
        if i < 14:
            ok = services.verification_create(phone_number=pumped(14, prefix="+1312555")[i], channel="sms")
            assert services.verification_check(verification_id=ok.id, code=code_of(ok)).valid
    assert statuses[:MIN_SENDS] == [201] * MIN_SENDS and set(statuses[MIN_SENDS:]) == {403}
    block = FraudBlock.objects.get()
    assert (block.scope, block.subject, block.sends) == ("range", "+1212555", MIN_SENDS)
    assert len(mail.outbox) == 1


def test_a_lift_works_without_redis(db):
    for number in pumped(MIN_SENDS):
        services.verification_create(phone_number=number, channel="sms")
    with pytest.raises(DeliveryBlocked):
        services.verification_create(phone_number=pumped(20)[15], channel="sms")
    from django.utils import timezone

    fraud.lift(FraudBlock.objects.get().pk, actor=services.Actor(type="admin", name="ops"), now=timezone.now())
    services.verification_create(phone_number=pumped(20)[16], channel="sms")
    assert FraudBlock.objects.get().lifted_by == "ops"


def test_a_block_outlives_its_file_cache_being_emptied(db, settings):
    """`make run`'s store is a directory: removed (a `make clean`, a new checkout), its
    blocks come back from their rows."""
    import shutil

    for number in pumped(MIN_SENDS):
        services.verification_create(phone_number=number, channel="sms")
    with pytest.raises(DeliveryBlocked):
        services.verification_create(phone_number=pumped(20)[15], channel="sms")
    shutil.rmtree(settings.CACHES["ratelimit"]["LOCATION"])
    with pytest.raises(DeliveryBlocked):
        services.verification_create(phone_number=pumped(20)[16], channel="sms")
    assert FraudBlock.objects.count() == 1
