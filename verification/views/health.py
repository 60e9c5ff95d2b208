"""Health for load balancers and orchestrators: /healthz (the process serves)
and /readyz (its dependencies answer)."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ..health import OK, UNAVAILABLE, readiness


@require_safe
@never_cache
def healthz(request):
    """200 while the process serves requests; no dependency is asked."""
    return JsonResponse({"status": OK})


@require_safe
@never_cache
def readyz(request):
    """200 when every configured dependency answers; 503 naming the ones that do not."""
    checks = readiness()
    down = sorted(name for name, state in checks.items() if state == UNAVAILABLE)
    body = {"status": UNAVAILABLE if down else OK, **checks}
    if down:
        body["unavailable"] = down
    response = JsonResponse(body, status=503 if down else 200)
    if down:
        response["Retry-After"] = "5"
    return response
