"""The product's URLs, and `/bench/plain`: the baseline every hot path is compared with."""

from django.http import JsonResponse
from django.urls import include, path


def plain(request):
    """As little as a Django view does: the same server, settings and middleware, no work."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("bench/plain", plain, name="bench-plain"),
    path("", include("otpsite.urls")),
]
