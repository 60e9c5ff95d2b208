"""The Content-Security-Policy header, built once from the settings: the same header as
django-csp builds on every response, and a view's own exception still honoured."""

import pytest
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from verification.middleware import CSPMiddleware

pytestmark = pytest.mark.django_db

HEADER = "Content-Security-Policy"


def built_by_django_csp(path="/"):
    """What django-csp's own middleware writes on a plain response under the current settings."""
    request = RequestFactory().get(path)
    middleware = DjangoCSPMiddleware(lambda request: HttpResponse())
    return middleware(request)


def directives(response, header=HEADER):
    """The policy's directives (django-csp writes them in no fixed order)."""
    return dict(part.strip().split(" ", 1) for part in response[header].split(";"))


def test_an_api_answer_and_a_page_carry_the_policy_django_csp_writes(client):
    expected = directives(built_by_django_csp())
    assert expected["default-src"] == "'self'" and expected["frame-ancestors"] == "'none'"
    assert directives(client.get("/api/v1/verifications/x", HTTP_AUTHORIZATION="Api-Key nope")) == expected
    assert directives(client.get("/accounts/login/")) == expected


def test_the_docs_page_keeps_its_own_exception(client):
    policy = directives(client.get("/api/v1/docs/"))
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["script-src"] == "'self'"  # the rest as the settings say


def test_a_changed_setting_changes_the_header_and_adds_a_report_only_one(client, settings):
    client.get("/accounts/login/")  # the header as it was, built
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/r"}}
    response = client.get("/accounts/login/")
    assert response[HEADER] == "default-src 'none'"
    assert directives(response, "Content-Security-Policy-Report-Only") == {"default-src": "'self'", "report-uri": "/r"}


def test_a_nonce_a_page_used_is_in_its_header(settings):
    from csp.constants import NONCE, SELF

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}

    def view(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    response = CSPMiddleware(view)(RequestFactory().get("/"))
    nonce = response.content.decode().split("'")[1]
    assert directives(response) == {"default-src": "'self'", "script-src": f"'self' 'nonce-{nonce}'"}
    unused = CSPMiddleware(lambda request: HttpResponse())(RequestFactory().get("/"))
    assert directives(unused) == {"default-src": "'self'", "script-src": "'self'"}


def test_a_nonce_asked_for_once_the_header_is_written_is_an_error():
    request = RequestFactory().get("/")
    CSPMiddleware(lambda request: HttpResponse())(request)
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)  # as django-csp makes it: never a page whose nonce the header lacks


def test_an_excluded_prefix_gets_no_header(client, settings):
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/api/"]}
    assert HEADER not in client.get("/api/v1/verifications/x", HTTP_AUTHORIZATION="Api-Key nope")
    assert HEADER in client.get("/accounts/login/")
