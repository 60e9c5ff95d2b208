"""`Authorization: Api-Key <key>`: keys stored hashed by djangorestframework-api-key.

The key's row is found by its prefix (the part before the dot) and kept in the cache
(Redis) for a minute, and in each process for a few seconds (key_rows), so most requests
neither query for it nor ask Redis; the hash of the whole key is still compared on every
request, and expiry is judged on every request too. Saving or deleting a key (a
revocation in the admin, an expiry date set) drops its row at once, from the cache and
from every process: the next request reads the database again.
"""

import contextlib
import hashlib
import logging
import threading
import time

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework_api_key.models import APIKey

from ..health import dependency_of
from .key_rows import rows as process_rows

logger = logging.getLogger(__name__)

KEYWORD = "Api-Key"
CACHE_SECONDS = 60
REFUSED = "Invalid, revoked or expired API key."


def cache_key(prefix):
    # Hashed: the prefix is part of the secret's text, and a cache key can end up in logs.
    return "otp:api-key:" + hashlib.sha256(prefix.encode()).hexdigest()[:32]


class _CacheOutage:
    """When the cache (Redis) last failed to answer: for CACHE_DOWN_SECONDS after that, keys
    are read from the database without asking it; and while one request of this process is
    asking it, the others do not wait with it. A Redis that stops answering costs each
    lookup its timeout (a read and a write, 4 s), and every thread of a process missed its
    kept rows at the same moment, so requests that need only the database (a GET, a
    check) and /healthz behind them waited in waves."""

    CACHE_DOWN_SECONDS = 5.0

    def __init__(self):
        self.until = float("-inf")
        self.lock = threading.Lock()
        self.asking = False

    @contextlib.contextmanager
    def turn(self):
        """Yields True if this request may ask the cache now (then it alone does)."""
        with self.lock:
            mine = not self.asking and time.monotonic() >= self.until
            if mine:
                self.asking = True
        try:
            yield mine
        finally:
            if mine:
                with self.lock:
                    self.asking = False

    def began(self):
        self.until = time.monotonic() + self.CACHE_DOWN_SECONDS


_cache_outage = _CacheOutage()


def _cached(prefix):
    with _cache_outage.turn() as mine:
        if not mine:
            return None  # the database answers; the cache is down, or another request is asking it
        try:
            return cache.get(cache_key(prefix))
        except Exception as exc:  # Redis down: the database still answers (checks need only it)
            if dependency_of(exc) is None:
                raise
            _cache_outage.began()
            return None


def _remember(api_key):
    with _cache_outage.turn() as mine:
        if not mine:
            return
        try:
            cache.set(cache_key(api_key.prefix), api_key, timeout=CACHE_SECONDS)
        except Exception as exc:
            if dependency_of(exc) is None:
                raise
            _cache_outage.began()


def api_key_from(key):
    """The usable APIKey whose hash matches `key` (not revoked, not expired), or None."""
    prefix, _, _ = key.partition(".")
    generation = process_rows.generation  # before anything is read: a change heard since is seen
    api_key = process_rows.get(cache_key(prefix))
    if api_key is None:
        api_key = _cached(prefix)
        if api_key is None:
            try:
                api_key = APIKey.objects.get_usable_keys().get(prefix=prefix)
            except APIKey.DoesNotExist:
                return None
            _remember(api_key)
        process_rows.put(cache_key(prefix), api_key, generation)
    if api_key.revoked or api_key.has_expired or not api_key.is_valid(key):
        return None
    return api_key


def _forget(prefix):
    process_rows.drop(cache_key(prefix))
    try:
        cache.delete(cache_key(prefix))
        process_rows.publish(cache_key(prefix))  # this process at once, the others as they hear it
    except Exception:
        # Redis unreachable: nobody reads the cache meanwhile, and a row it still holds lives
        # CACHE_SECONDS at most. The revocation itself is saved all the same.
        logger.error("Could not drop the cached API key %s: it may be used for up to %s s.", prefix, CACHE_SECONDS)


@receiver(post_save, sender=APIKey)
@receiver(post_delete, sender=APIKey)
def forget_api_key(sender, instance, **kwargs):
    """A key saved (revoked, its expiry changed) or deleted is read from the database again:
    dropped now, and again once the change commits (a request between the two may have
    cached the row as it was before)."""
    _forget(instance.prefix)
    transaction.on_commit(lambda: _forget(instance.prefix))


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Sets `request.auth` to the APIKey; revoked or expired keys are refused."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _, key = header.partition(" ")
        key = key.strip()
        if keyword != KEYWORD or not key:
            raise exceptions.AuthenticationFailed("Use the header `Authorization: Api-Key <key>`.")
        api_key = api_key_from(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(REFUSED)
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
