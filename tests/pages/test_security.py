"""Every page: CSRF, no caching of the code pages, and a Content-Security-Policy with no inline script."""

import re

import pytest
from django.test import Client

from tests.pages.support import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["/accounts/signup/", "/accounts/login/", "/accounts/verify/", "/accounts/profile/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_never_cached(client, at_code_step, user, path):
    if path == "/accounts/profile/":
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/accounts/signup/", "/accounts/login/", "/accounts/verify/", "/sandbox/phone/"])
def test_the_csp_allows_only_our_own_scripts(client, at_code_step, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("path", ["/accounts/signup/", "/accounts/login/", "/accounts/verify/", "/accounts/profile/"])
def test_no_page_has_an_inline_script_or_style(client, user, path):
    if path == "/accounts/profile/":
        client.force_login(user)
    page = client.get(path, follow=True).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page and " style=" not in page and "onclick" not in page


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/signup/", {"username": "x"}),
        ("/accounts/login/", {"username": "ada", "password": PASSWORD}),
        ("/accounts/verify/", {"code": "123456"}),
        ("/accounts/verify/resend/", {}),
        ("/accounts/profile/channel/", {"preferred_channel": "call"}),
    ],
)
def test_every_form_needs_its_csrf_token(user, path, data):
    client = Client(enforce_csrf_checks=True)
    assert client.post(path, data).status_code == 403


def test_the_forms_carry_a_csrf_token(client):
    assert 'name="csrfmiddlewaretoken"' in client.get("/accounts/login/").content.decode()


def test_swagger_ui_loads_its_setup_as_a_script_of_its_own_under_the_same_script_policy(client):
    response = client.get("/api/v1/docs/")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())
    assert '<script src="/api/v1/docs/?script="></script>' in response.content.decode()
    assert "script-src 'self';" in response["Content-Security-Policy"] + ";"
    assert client.get("/api/v1/docs/?script=")["Content-Type"].startswith("application/javascript")
