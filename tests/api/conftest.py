import pytest
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey


def client_for(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def api_key(db):
    return APIKey.objects.create_key(name="acme")


@pytest.fixture
def api(api_key):
    return client_for(api_key[1])


@pytest.fixture
def other_api(db):
    return client_for(APIKey.objects.create_key(name="globex")[1])
