"""`Authorization: Api-Key <key>`: keys stored hashed by djangorestframework-api-key."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework_api_key.models import APIKey

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Sets `request.auth` to the APIKey; revoked or expired keys are refused."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _, key = header.partition(" ")
        if keyword != KEYWORD or not key.strip():
            raise exceptions.AuthenticationFailed("Use the header `Authorization: Api-Key <key>`.")
        try:
            api_key = APIKey.objects.get_from_key(key.strip())
        except APIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.") from None
        if api_key.has_expired:  # get_from_key checks revocation only
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return KEYWORD  # makes unauthenticated requests 401 with WWW-Authenticate


class HasApiKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, APIKey)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "verification.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`, as printed by `manage.py create_api_key NAME`.",
        }
