"""The client's address, directly and behind our proxies (verification/net.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from verification.net import client_ip, trusted_networks

factory = RequestFactory()


def ip_of(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(factory.get("/", **extra))


@pytest.fixture
def one_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]


@pytest.fixture
def cdn_and_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "198.51.100.0/24"]


def test_without_a_proxy_the_peer_address_is_the_client(settings):
    settings.BEHIND_PROXY = False
    settings.TRUSTED_PROXY_COUNT = 0
    assert ip_of("127.0.0.1", "198.51.100.9") == "127.0.0.1"


def test_behind_the_proxy_the_address_it_appended_is_the_client(one_proxy):
    assert ip_of("127.0.0.1", "1.2.3.4, 198.51.100.9") == "198.51.100.9"  # 1.2.3.4: the client's own claim


def test_behind_the_proxy_setting_alone_means_one_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 0  # as tests that only turn DJANGO_BEHIND_PROXY on
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert ip_of("127.0.0.1", "1.2.3.4, 198.51.100.9") == "198.51.100.9"


def test_a_header_from_a_peer_that_is_not_a_proxy_is_ignored(one_proxy):
    assert ip_of("203.0.113.5", "198.51.100.9") == "203.0.113.5"
    assert ip_of("10.0.0.2", "1.2.3.4, 198.51.100.9") == "10.0.0.2"


def test_behind_the_proxy_a_malformed_or_missing_header_falls_back_to_the_peer(one_proxy):
    assert ip_of("127.0.0.1", "not-an-ip") == "127.0.0.1"
    assert ip_of("127.0.0.1") == "127.0.0.1"


def test_junk_the_client_puts_on_the_left_does_not_move_the_anchor(one_proxy):
    assert ip_of("127.0.0.1", "unknown, , 999.1.1.1, 198.51.100.9") == "198.51.100.9"


def test_proxies_are_matched_as_networks_and_ipv6(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    assert ip_of("10.1.2.3", "198.51.100.9") == "198.51.100.9"
    assert ip_of("fd12::1", "2001:db8::5") == "2001:db8::5"
    assert ip_of("11.0.0.1", "198.51.100.9") == "11.0.0.1"


def test_an_ipv4_mapped_peer_is_its_ipv4_address(one_proxy):
    assert ip_of("::ffff:127.0.0.1", "198.51.100.9") == "198.51.100.9"


def test_a_star_trusts_any_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["*"]
    assert ip_of("10.0.0.2", "1.2.3.4, 198.51.100.9") == "198.51.100.9"


def test_behind_a_cdn_and_a_proxy_the_client_is_the_second_from_the_right(cdn_and_proxy):
    assert ip_of("127.0.0.1", "1.2.3.4, 203.0.113.7, 198.51.100.20") == "203.0.113.7"


def test_behind_a_cdn_and_a_proxy_a_request_that_skipped_the_cdn_is_from_the_address_nginx_saw(cdn_and_proxy):
    assert ip_of("127.0.0.1", "1.2.3.4, 203.0.113.66") == "203.0.113.66"
    assert ip_of("127.0.0.1", "203.0.113.66") == "203.0.113.66"


def test_with_any_peer_trusted_a_short_chain_gives_its_left_most_entry(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXIES = ["*"]
    assert ip_of("127.0.0.1", "1.2.3.4, 203.0.113.7, 198.51.100.20") == "203.0.113.7"
    assert ip_of("127.0.0.1", "203.0.113.7") == "203.0.113.7"


def test_a_bad_proxy_entry_is_refused_at_startup():
    assert trusted_networks(["127.0.0.1", " 10.0.0.0/8 ", "::1"]) is not None
    assert trusted_networks(["*"]) is None
    with pytest.raises(ImproperlyConfigured, match="'nginx'"):
        trusted_networks(["nginx"])
