"""The fraud guard's blocks are listed in the admin, read-only."""

import pytest
from django.utils import timezone

from verification.models import FraudBlock

pytestmark = pytest.mark.django_db


def test_blocks_are_listed_read_only_with_the_range_masked(admin_client):
    FraudBlock.objects.create(
        scope="range", subject="+1415555", sends=30, approvals=0, window_seconds=3600, min_sends=30,
        min_conversion=0.2, blocked_until=timezone.now(),
    )  # fmt: skip
    listing = admin_client.get("/admin/verification/fraudblock/")
    assert listing.status_code == 200
    assert "+1415555••••" in listing.content.decode()
    assert admin_client.get("/admin/verification/fraudblock/add/").status_code == 403
