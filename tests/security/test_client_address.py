"""Finding 4 of issue 11: behind a proxy, the client's address is the one our proxies
vouch for, never what the client writes in X-Forwarded-For. Through the whole HTTP
stack (Django's test client: middleware, the login and signup pages, their throttles).

Addresses: 203.0.113.x are clients, 198.51.100.0/24 is the CDN's, 127.0.0.1 is nginx
on the same host (the default DJANGO_TRUSTED_PROXIES)."""

import itertools

import pytest
from django.test import Client

from tests.pages.support import PASSWORD, flow_verification, make_user

pytestmark = pytest.mark.django_db

THROTTLED_LOGIN = "Too many sign-in attempts from this address."
THROTTLED_SIGNUP = "Too many signup attempts from this address."
forged = (f"10.{n // 250}.{n % 250}.1" for n in itertools.count(1))  # a new address every time


def login(client, username, password="wrong", **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, headers=headers)


def signup(client, username, **headers):
    data = {"username": username, "password": PASSWORD, "country": "US", "phone_number": "415 555 0123", "channel": "sms"}
    return client.post("/accounts/signup/", data, headers=headers)


def audited_ip(client):
    return flow_verification(client).audit_events.get(event="created").ip


@pytest.fixture
def behind_one_proxy(settings):
    settings.BEHIND_PROXY = True  # the setting of the report: one proxy in front
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def behind_cdn_and_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "198.51.100.0/24"]


@pytest.mark.parametrize("proxied", [False, True], ids=["header alone", "header as if proxied"])
def test_a_forged_header_from_an_address_that_is_not_a_proxy_does_not_escape_the_login_throttle(
    behind_one_proxy, settings, proxied
):
    """30 of 30 logins went through when each carried a new X-Forwarded-For."""
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_IP = 3
    direct = Client(REMOTE_ADDR="203.0.113.5")  # reached the app itself, not through nginx
    pages = []
    for n in range(5):
        header = f"{next(forged)}, {next(forged)}" if proxied else next(forged)
        pages.append(login(direct, f"user{n}", **{"X-Forwarded-For": header}).content.decode())
    assert [THROTTLED_LOGIN in page for page in pages] == [False, False, False, True, True]


def test_a_forged_header_from_an_address_that_is_not_a_proxy_does_not_escape_the_signup_throttle(
    behind_one_proxy, settings
):
    """25 of 25 signups went through when each carried a new X-Forwarded-For."""
    settings.ACCOUNTS_SIGNUP_ATTEMPTS_PER_IP = 2
    direct = Client(REMOTE_ADDR="203.0.113.5")
    pages = [signup(direct, f"user{n}", **{"X-Forwarded-For": next(forged)}).content.decode() for n in range(4)]
    assert [THROTTLED_SIGNUP in page for page in pages] == [False, False, True, True]


def test_behind_one_proxy_the_address_it_appended_is_the_client(behind_one_proxy):
    make_user("ada")
    via_nginx = Client(REMOTE_ADDR="127.0.0.1")
    login(via_nginx, "ada", PASSWORD, **{"X-Forwarded-For": "10.9.9.9, 203.0.113.7"})  # 10.9.9.9: the client's claim
    assert audited_ip(via_nginx) == "203.0.113.7"


def test_behind_one_proxy_each_client_has_its_own_throttle_whatever_it_writes(behind_one_proxy, settings):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_IP = 2
    via_nginx = Client(REMOTE_ADDR="127.0.0.1")
    pages = [
        login(via_nginx, f"user{n}", **{"X-Forwarded-For": f"{next(forged)}, 203.0.113.8"}).content.decode()
        for n in range(3)
    ]
    other = login(via_nginx, "user9", **{"X-Forwarded-For": "203.0.113.9"}).content.decode()
    assert [THROTTLED_LOGIN in page for page in pages] == [False, False, True]
    assert THROTTLED_LOGIN not in other  # another client behind the same proxy is not blocked


def test_behind_a_cdn_and_a_proxy_the_client_is_the_address_the_cdn_appended(behind_cdn_and_proxy):
    make_user("ada")
    via_cdn = Client(REMOTE_ADDR="127.0.0.1")
    # the client wrote 10.9.9.9; the CDN appended the client (203.0.113.7); nginx appended the CDN's edge
    login(via_cdn, "ada", PASSWORD, **{"X-Forwarded-For": "10.9.9.9, 203.0.113.7, 198.51.100.20"})
    assert audited_ip(via_cdn) == "203.0.113.7"


def test_behind_a_cdn_and_a_proxy_a_client_that_skips_the_cdn_is_its_own_address(behind_cdn_and_proxy):
    make_user("ada")
    around_the_cdn = Client(REMOTE_ADDR="127.0.0.1")
    # straight to nginx with a forged header: nginx appended the client's real address, not a CDN's
    login(around_the_cdn, "ada", PASSWORD, **{"X-Forwarded-For": "10.9.9.9, 203.0.113.66"})
    assert audited_ip(around_the_cdn) == "203.0.113.66"


def test_behind_a_cdn_and_a_proxy_forged_headers_do_not_escape_the_throttle(behind_cdn_and_proxy, settings):
    settings.ACCOUNTS_LOGIN_ATTEMPTS_PER_IP = 2
    via_cdn = Client(REMOTE_ADDR="127.0.0.1")
    pages = [
        login(via_cdn, f"user{n}", **{"X-Forwarded-For": f"{next(forged)}, 203.0.113.8, 198.51.100.20"}).content.decode()
        for n in range(3)
    ]
    assert [THROTTLED_LOGIN in page for page in pages] == [False, False, True]
