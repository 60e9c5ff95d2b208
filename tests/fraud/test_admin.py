"""People see it: the block on the dashboard with the figures per country, and lifted
on the rate-limit page, the lift kept with who did it."""

import pytest
from django.contrib.auth.models import Permission, User

from tests.helpers import code_of
from verification import services
from verification.exceptions import DeliveryBlocked
from verification.models import FraudBlock

from .conftest import MIN_SENDS, pumped

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/verification/dashboard/"
RATE_LIMITS = "/admin/verification/rate-limits/"


def create(number):
    return services.verification_create(phone_number=number, channel="sms")


@pytest.fixture
def blocked_range():
    approved = create("+447400123456")  # elsewhere: a US one would lift the US's conversion, not the range's
    services.verification_check(verification_id=approved.id, code=code_of(approved))
    for number in pumped(MIN_SENDS):
        create(number)
    with pytest.raises(DeliveryBlocked):
        create(pumped(20)[15])
    return FraudBlock.objects.get()


def test_the_dashboard_lists_the_block_and_the_figures_per_country(admin_client, blocked_range):
    body = admin_client.get(DASHBOARD).content.decode()
    blocks = body.split('id="fraud-blocks"')[1].split("</table>")[0]
    assert "Number range +1212555••••" in blocks
    assert f"<td>{MIN_SENDS}</td><td>0</td><td>0.0%</td>" in blocks
    assert "blocking" in blocks
    countries = body.split('id="fraud-countries"')[1].split("</table>")[0]
    assert f"<tr><td>US</td><td>{MIN_SENDS}</td><td>0</td><td>0.0%</td></tr>" in countries
    assert "<tr><td>GB</td><td>1</td><td>1</td><td>100.0%</td></tr>" in countries


def test_an_admin_lifts_a_block_and_the_lift_is_kept_with_who_did_it(admin_client, blocked_range):
    page = admin_client.get(RATE_LIMITS).content.decode()
    listed = page.split('id="fraud-blocks"')[1].split("</table>")[0]
    assert "Number range +1212555••••" in listed and f'name="lift" value="{blocked_range.pk}"' in listed

    response = admin_client.post(RATE_LIMITS, {"lift": str(blocked_range.pk)}, REMOTE_ADDR="198.51.100.7", follow=True)
    assert "Lifted the block of number range +1212555••••" in response.content.decode()
    block = FraudBlock.objects.get()
    assert block.lifted_at is not None
    assert (block.lifted_by, block.lifted_by_ip) == ("admin", "198.51.100.7")
    assert "The fraud guard blocks nothing right now." in admin_client.get(RATE_LIMITS).content.decode()
    assert "by admin" in admin_client.get(DASHBOARD).content.decode()

    # The range is open again, with an empty window.
    for number in pumped(MIN_SENDS + 20)[20:]:
        create(number)
    assert FraudBlock.objects.filter(lifted_at=None).count() == 0


def test_a_lift_twice_is_refused_the_second_time(admin_client, blocked_range):
    admin_client.post(RATE_LIMITS, {"lift": str(blocked_range.pk)})
    response = admin_client.post(RATE_LIMITS, {"lift": str(blocked_range.pk)}, follow=True)
    assert "No such block, or it was already lifted." in response.content.decode()
    assert FraudBlock.objects.get().lifted_by == "admin"


def test_lifting_needs_the_change_permission(client, blocked_range):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_verificationattempt"))
    client.force_login(viewer)
    page = client.get(RATE_LIMITS).content.decode()
    assert "Number range +1212555••••" in page and 'name="lift"' not in page
    assert client.post(RATE_LIMITS, {"lift": str(blocked_range.pk)}).status_code == 403
    assert FraudBlock.objects.get().lifted_at is None


def test_a_lift_does_not_end_a_newer_block_of_the_same_range(admin_client, blocked_range, clock, settings):
    settings.VERIFICATION_FRAUD_BLOCK_SECONDS = 60
    clock.advance(86401)  # the first block ended by itself
    for number in pumped(MIN_SENDS + 30)[30:]:
        create(number)
    with pytest.raises(DeliveryBlocked):
        create(pumped(50)[45])
    admin_client.post(RATE_LIMITS, {"lift": str(blocked_range.pk)})
    with pytest.raises(DeliveryBlocked):
        create(pumped(50)[46])
