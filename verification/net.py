"""Where a request came from, also behind a TLS-terminating proxy."""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The client's address: behind our proxy (DJANGO_BEHIND_PROXY), the one it appended
    to X-Forwarded-For (the right-most: earlier entries are the client's to forge)."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None
