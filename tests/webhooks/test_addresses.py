"""Webhook URLs never reach inside our network (contract section 11)."""

import socket

import pytest

from verification.webhooks.addresses import WebhookUrlNotAllowed, public_addresses


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.10/hook",
        "http://172.16.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_loopback_private_and_link_local_addresses_are_refused(url):
    with pytest.raises(WebhookUrlNotAllowed):
        public_addresses(url)


@pytest.mark.parametrize("url", ["ftp://203.0.114.1/x", "file:///etc/passwd", "http://user:pw@8.8.8.8/", "not a url"])
def test_only_plain_http_and_https_urls_are_accepted(url):
    with pytest.raises(WebhookUrlNotAllowed):
        public_addresses(url)


def test_a_public_address_is_accepted():
    assert [str(a) for a in public_addresses("https://8.8.8.8/hook")] == ["8.8.8.8"]


def test_a_name_that_resolves_to_a_private_address_among_public_ones_is_refused():
    def resolve(host, port, type):  # a DNS answer with one public and one private address
        return [(socket.AF_INET, type, 6, "", ("8.8.8.8", port)), (socket.AF_INET, type, 6, "", ("10.1.2.3", port))]

    with pytest.raises(WebhookUrlNotAllowed, match="10.1.2.3"):
        public_addresses("https://hooks.example.test/x", resolve=resolve)


def test_private_hosts_can_be_allowed_on_purpose():
    assert [str(a) for a in public_addresses("http://127.0.0.1:9/hook", allow_private=True)] == ["127.0.0.1"]
