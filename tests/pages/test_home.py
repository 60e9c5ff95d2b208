"""The landing page at `/`: what this is, and where each part lives."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_landing_page_links_to_signup_signin_the_api_docs_the_admin_and_the_sandbox_phone(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Phone verification" in body
    for href in ("/accounts/signup/", "/accounts/login/", "/api/v1/docs/", "/admin/", "/sandbox/phone/", "/readyz"):
        assert f'href="{href}"' in body


def test_the_sandbox_phone_is_not_offered_where_the_sandbox_is_off(client, settings):
    settings.SANDBOX_ENABLED = False
    assert 'href="/sandbox/phone/"' not in client.get("/").content.decode()
