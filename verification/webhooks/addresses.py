"""Webhook URLs may not point inside our network: loopback, private, link-local and
other non-public addresses are refused, at configuration and again at send time
(a name can resolve elsewhere later), unless VERIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS."""

import ipaddress
import socket
from urllib.parse import urlsplit

from ..exceptions import VerificationError


class WebhookUrlNotAllowed(VerificationError):
    code = "webhook_url_not_allowed"
    default_detail = "Webhook URLs must be http(s) URLs of public hosts."
    attr = "status_callback"


def public_addresses(url, *, allow_private=False, resolve=socket.getaddrinfo):
    """The addresses `url`'s host resolves to, all public; WebhookUrlNotAllowed otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise WebhookUrlNotAllowed()
    try:
        infos = resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise WebhookUrlNotAllowed(f"The webhook host {parts.hostname!r} does not resolve.") from None
    addresses = sorted({ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}, key=str)
    if not allow_private:
        for address in addresses:
            if address.version == 6 and address.ipv4_mapped:
                address = address.ipv4_mapped
            if not address.is_global:
                raise WebhookUrlNotAllowed(
                    f"The webhook host {parts.hostname!r} is not a public address ({address}). "
                    "For a receiver on this machine in development, set VERIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS=1."
                )
    return addresses
