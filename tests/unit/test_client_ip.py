"""The client's address, directly and behind our proxy."""

from django.test import RequestFactory

from verification.net import client_ip

factory = RequestFactory()


def test_without_a_proxy_the_peer_address_is_the_client(settings):
    settings.BEHIND_PROXY = False
    request = factory.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert client_ip(request) == "203.0.113.5"


def test_behind_the_proxy_the_address_it_appended_is_the_client(settings):
    settings.BEHIND_PROXY = True
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert client_ip(request) == "198.51.100.9"  # 1.2.3.4 was the client's own, forgeable claim


def test_behind_the_proxy_a_malformed_header_falls_back_to_the_peer(settings):
    settings.BEHIND_PROXY = True
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(request) == "10.0.0.2"
