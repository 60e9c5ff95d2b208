"""System checks: a site that installs the app learns from `manage.py check` what
cannot work, instead of at the first send."""

from django.conf import settings
from django.core import checks

from .conf import current_values, problems
from .ratelimit import cache_alias

# The API and its document (/api/v1/schema/, /api/v1/docs/: drf-spectacular's templates, and
# Swagger UI from the sidecar's static files, never a CDN).
REQUIRED_APPS = ("rest_framework", "rest_framework_api_key", "drf_spectacular", "drf_spectacular_sidecar")
SHARED_CACHES = ("django_redis.cache.RedisCache", "django.core.cache.backends.redis.RedisCache")


@checks.register()
def verification_settings(app_configs=None, **kwargs):
    """Each setting that cannot work is an error naming it (verification.E001)."""
    return [
        checks.Error(message, hint=f"Fix {name} in your settings (see the README's Settings).", id="verification.E001")
        for name, message in problems(current_values())
    ]


@checks.register()
def verification_dependencies(app_configs=None, **kwargs):
    """The apps the API needs (E002), and a cache every process shares, or the rate
    limits would hold per process only (W001, outside DEBUG)."""
    found = [
        checks.Error(f"'verification' needs '{app}' in INSTALLED_APPS.", id="verification.E002")
        for app in REQUIRED_APPS
        if app not in settings.INSTALLED_APPS
    ]
    alias = cache_alias()
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if not settings.DEBUG and backend not in SHARED_CACHES:
        found.append(
            checks.Warning(
                f"The {alias!r} cache is {backend or 'not set'}: rate limits and the fraud guard would not be shared "
                "between processes.",
                hint="Use django-redis (CACHES['default'] = django_redis.cache.RedisCache on your REDIS_URL).",
                id="verification.W001",
            )
        )
    return found
