"""The time as the verification rules see it; tests move it instead of sleeping."""

from django.utils import timezone


def now():
    return timezone.now()
