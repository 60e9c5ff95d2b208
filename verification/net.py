"""Where a request came from, directly or behind trusted proxies.

The rule (README, "Behind a proxy"): X-Forwarded-For is read only when the request
came from a trusted proxy (REMOTE_ADDR in DJANGO_TRUSTED_PROXIES), and then the
client is the entry our proxy chain put there: with N proxies in front
(DJANGO_TRUSTED_PROXY_COUNT; DJANGO_BEHIND_PROXY alone is one), the N-th entry from
the right, django-ipware's `proxy_count` rule. Each proxy on the way must be
trusted too: the first hop that is not one of ours is the client. Entries further
left are the client's own claim, free to forge, and never read. Every caller uses
`client_ip(request)`: this is the one place.
"""

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from ipware import get_client_ip

ANY_PEER = "*"


def trusted_networks(entries):
    """DJANGO_TRUSTED_PROXIES as networks; None for "*" (any peer). Refuses what is not an address or network."""
    entries = [entry.strip() for entry in entries if entry.strip()]
    if ANY_PEER in entries:
        return None
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: {entry!r} is not an IP address, a network (10.0.0.0/8) or *."
            ) from None
    return tuple(networks)


@functools.lru_cache(maxsize=16)
def _networks(entries):
    return trusted_networks(entries)


def trusted_proxy_count():
    """How many proxies in front append to X-Forwarded-For; DJANGO_BEHIND_PROXY alone means one."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    return count or (1 if getattr(settings, "BEHIND_PROXY", False) else 0)


def _address(text):
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    return address.ipv4_mapped or address if address.version == 6 else address


def is_trusted_proxy(peer):
    """Whether the peer (REMOTE_ADDR) is one of our proxies."""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if networks is None:
        return True
    address = _address(peer)
    return address is not None and any(address in network for network in networks)


def _forwarded_hop(request, k):
    """The entry k+1 from the right of X-Forwarded-For (k=0: the last one appended), or None.

    django-ipware's rule: with `proxy_count` k, the client is the (k+1)-th entry from the
    right (the proxy nearest to us is the peer, not an entry). Non-strict, so junk on the
    left (the client's to write) cannot move that anchor."""
    forwarded, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=k,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return forwarded


def client_ip(request):
    """The client's address: the peer's, unless the peer is one of our proxies. Then the
    address that proxy appended to X-Forwarded-For, and so on through up to
    DJANGO_TRUSTED_PROXY_COUNT proxies, each of which must itself be trusted: the first
    hop that is not one of ours is the client, whatever it claims further left."""
    client = request.META.get("REMOTE_ADDR") or None
    if client is None:
        return None
    for k in range(trusted_proxy_count()):
        if not is_trusted_proxy(client):
            break  # not our proxy: it is the client, and what it wrote is its own claim
        hop = _forwarded_hop(request, k)
        if hop is None:
            break  # a shorter chain (or a malformed one): the last address a proxy of ours vouched for
        client = hop
    return client
