"""Tenants: API keys never supersede, see or throttle each other's verifications of a number;
the per-number hourly cap stays global, and its refusal names nobody."""

import pytest
from rest_framework_api_key.models import APIKey

from tests.api.conftest import client_for
from tests.helpers import code_of
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db

NUMBER = "+14155550123"


@pytest.fixture
def tenant_a(db):
    return client_for(APIKey.objects.create_key(name="tenant-a")[1])


@pytest.fixture
def tenant_b(db):
    return client_for(APIKey.objects.create_key(name="tenant-b")[1])


def create(api, channel="sms"):
    return api.post("/api/v1/verifications", {"phone_number": NUMBER, "channel": channel}, format="json")


def test_another_keys_create_for_the_same_number_neither_supersedes_nor_is_refused(tenant_a, tenant_b):
    b = create(tenant_b)
    a = create(tenant_a)
    assert (b.status_code, a.status_code) == (201, 201)  # not 429 "a code was just sent"
    code = code_of(VerificationAttempt.objects.get(pk=b.json()["id"]))
    checked = tenant_b.post(f"/api/v1/verifications/{b.json()['id']}/check", {"code": code}, format="json")
    assert checked.status_code == 200 and checked.json()["status"] == "approved"
    assert tenant_a.get(f"/api/v1/verifications/{a.json()['id']}").json()["status"] == "pending"


def test_a_keys_own_new_verification_still_supersedes_its_pending_one(tenant_a, clock):
    first = create(tenant_a).json()
    clock.advance(31)
    create(tenant_a)
    assert tenant_a.get(f"/api/v1/verifications/{first['id']}").json()["status"] == "canceled"


def test_the_hourly_cap_per_number_holds_across_keys_and_its_refusal_names_nobody(tenant_a, tenant_b, settings):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 2
    assert create(tenant_a).status_code == 201
    assert create(tenant_b).status_code == 201
    refused = create(tenant_b, channel="call")
    assert refused.status_code == 429
    [error] = refused.json()["errors"]
    assert error["code"] == "too_many_sends"
    assert "sent" not in error["detail"].lower()  # nothing about what another tenant did
