"""This deployment's own pages: the landing page at `/`."""

from django.conf import settings
from django.shortcuts import render


def home(request):
    """What this site is, and where each part of it lives."""
    return render(request, "home.html", {"sandbox_enabled": settings.SANDBOX_ENABLED})
