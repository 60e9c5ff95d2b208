from csp.decorators import csp_update
from django.urls import path, re_path

from . import views
from .docs import ApiDocs, ApiSchema

# The split view serves Swagger UI's setup as a script of its own (CSP: script-src 'self');
# only its page's small inline <style> needs an exception.
swagger_ui = csp_update({"style-src": ["'unsafe-inline'"]})(ApiDocs.as_view(url_name="api-schema"))

urlpatterns = [
    path("verifications", views.VerificationCreateApi.as_view(), name="api-verification-create"),
    path("verifications/check", views.VerificationCheckByNumberApi.as_view(), name="api-verification-check-by-number"),
    path("verifications/<str:verification_id>", views.VerificationDetailApi.as_view(), name="api-verification-detail"),
    path("verifications/<str:verification_id>/check", views.VerificationCheckApi.as_view(), name="api-verification-check"),
    path("verifications/<str:verification_id>/resend", views.VerificationResendApi.as_view(), name="api-verification-resend"),
    path("verifications/<str:verification_id>/cancel", views.VerificationCancelApi.as_view(), name="api-verification-cancel"),
    path("schema/", ApiSchema.as_view(), name="api-schema"),
    path("docs/", swagger_ui, name="api-docs"),
    # Last: the JSON 404 of every other path (`schema` and `docs` without their slash are left
    # to Django, which redirects them to it).
    re_path(r"^(?!(?:schema|docs)$)", views.UnknownPathApi.as_view(), name="api-unknown-path"),
]
