"""A stand-in Plivo that only ever answers one HTTP status, for the carrier error tests."""

import time

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

STATUS = {"code": 429}
DELAY = 0.0  # seconds before answering, for the timeout test
REQUESTS = []  # the paths asked, in order: how many HTTP requests one API call made


@csrf_exempt
def answer_with_status(request, auth_id):
    REQUESTS.append(request.path)
    time.sleep(DELAY)
    return JsonResponse({"api_id": "test", "error": "too many requests"}, status=STATUS["code"])


urlpatterns = [
    path("fixed-status/v1/Account/<str:auth_id>/Call/", answer_with_status),
    path("", include("otpsite.urls")),
]
