"""The product's URLs, `/bench/plain` (the baseline every hot path is compared with) and
two floors: the least a read, and a locked write, cost through Django's connection."""

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import include, path

from verification.models import VerificationAttempt


def plain(request):
    """As little as a Django view does: the same server, settings and middleware, no work."""
    return JsonResponse({"status": "ok"})


def floor(request, verification_id):
    """The least a read from the database costs here: one primary-key SELECT through Django's
    connection, no framework, no key, no model. What no hot path can be faster than."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {VerificationAttempt._meta.db_table} WHERE id = %s", [verification_id])
        row = cursor.fetchone()
    return JsonResponse({"id": str(verification_id), "status": row[0] if row else None})


def floor_write(request, verification_id):
    """The least a check's wire costs here: a transaction that locks the row and updates it
    (BEGIN, SELECT ... FOR UPDATE, UPDATE, COMMIT), no framework, no key, no model."""
    table = VerificationAttempt._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s FOR UPDATE", [verification_id])
        row = cursor.fetchone()
        cursor.execute(f"UPDATE {table} SET failed_checks = failed_checks WHERE id = %s", [verification_id])
    return JsonResponse({"id": str(verification_id), "status": row[0] if row else None})


urlpatterns = [
    path("bench/plain", plain, name="bench-plain"),
    path("bench/floor/<uuid:verification_id>", floor, name="bench-floor"),
    path("bench/floor-write/<uuid:verification_id>", floor_write, name="bench-floor-write"),
    path("", include("otpsite.urls")),
]
