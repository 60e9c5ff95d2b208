"""Redis or the broker down: a 503 with Retry-After, never a 500, and nothing sent unthrottled."""

import pytest

from tests.health.conftest import answer_of
from tests.pages.support import NUMBER, flow_verification, login_password, make_user
from verification import health
from verification.contrib.sandbox.models import InboxEntry
from verification.models import Delivery, VerificationAttempt

pytestmark = pytest.mark.django_db


def assert_api_unavailable(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert response.json()["type"] == "server_error"
    [error] = response.json()["errors"]
    assert error["code"] == "service_unavailable"


def assert_nothing_written_or_sent():
    assert not VerificationAttempt.objects.exists()
    assert not Delivery.objects.exists()
    assert not InboxEntry.objects.exists()


def test_a_create_with_redis_down_is_a_503_and_sends_nothing(api, redis_down):
    response = api.post("/api/v1/verifications", {"phone_number": NUMBER, "channel": "call"}, format="json")
    assert_api_unavailable(response)
    assert_nothing_written_or_sent()


def test_a_create_with_the_broker_down_is_a_503_and_writes_nothing(api, broker_down):
    response = api.post("/api/v1/verifications", {"phone_number": NUMBER, "channel": "sms"}, format="json")
    assert_api_unavailable(response)
    assert_nothing_written_or_sent()


def test_a_resend_with_redis_down_is_a_503_and_sends_nothing_more(api, settings):
    created = api.post("/api/v1/verifications", {"phone_number": NUMBER, "channel": "sms"}, format="json")
    assert created.status_code == 201
    url = "redis://127.0.0.1:1/0"
    cache = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url}
    settings.REDIS_URL, settings.CACHES = url, {"default": cache, "ratelimit": cache}
    response = api.post(f"/api/v1/verifications/{created.json()['id']}/resend", {}, format="json")
    assert_api_unavailable(response)
    assert Delivery.objects.count() == 1


def test_a_check_needs_no_redis(api, settings):
    created = api.post("/api/v1/verifications", {"phone_number": NUMBER, "channel": "sms"}, format="json").json()
    url = "redis://127.0.0.1:1/0"
    cache = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url}
    settings.REDIS_URL, settings.CACHES = url, {"default": cache, "ratelimit": cache}
    response = api.post(f"/api/v1/verifications/{created['id']}/check", {"code": "000000"}, format="json")
    assert response.status_code == 200  # guesses are counted in the database, under its row lock


def test_signing_in_with_redis_down_is_a_plain_try_again_page(client, redis_down):
    make_user()
    response = login_password(client)
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert "Try again in a moment" in response.content.decode()
    assert_nothing_written_or_sent()


def test_signing_up_with_redis_down_is_a_plain_try_again_page(client, redis_down):
    response = client.post(
        "/accounts/signup/",
        {"username": "grace", "password1": "correct horse battery", "password2": "correct horse battery",
         "phone_number": "+14155550188", "country": "US", "channel": "sms"},
    )  # fmt: skip
    assert response.status_code == 503
    assert "Try again in a moment" in response.content.decode()
    assert not InboxEntry.objects.exists()


def test_the_code_page_renders_without_redis(client, settings):
    make_user()
    assert login_password(client).status_code == 302
    verification = flow_verification(client)
    url = "redis://127.0.0.1:1/0"
    cache = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url}
    settings.REDIS_URL, settings.CACHES = url, {"default": cache, "ratelimit": cache}
    response = client.get("/accounts/verify/")
    assert response.status_code == 200
    assert str(verification.phone_number)[-2:] in response.content.decode()  # the number it went to, masked


def test_a_create_against_a_redis_that_stopped_answering_is_a_503_not_a_hang(api, frozen_redis):
    create = lambda: api.post("/api/v1/verifications", {"phone_number": NUMBER, "channel": "sms"}, format="json")  # noqa: E731
    assert_api_unavailable(answer_of(create))
    assert_nothing_written_or_sent()


def test_a_session_the_database_cannot_save_is_the_try_again_page_not_a_500(client, monkeypatch):
    """SQLite past its lock timeout (or PostgreSQL gone) when the session is saved, after the view."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    make_user()

    def locked(self, must_create=False):
        raise OperationalError("database is locked")

    monkeypatch.setattr(SessionStore, "save", locked)
    response = login_password(client)  # the sign-in starts a flow in the session
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert "Try again in a moment" in response.content.decode()


def test_a_broker_that_does_not_answer_is_asked_by_one_request_at_a_time(monkeypatch):
    """While one create waits on the broker's timeout, the others answer with what is known;
    once it did not answer, it is asked again only after the 503's Retry-After."""
    now = [100.0]
    monkeypatch.setattr(health.time, "monotonic", lambda: now[0])
    state = health._BrokerState()
    assert state.fresh() is None  # this request asks
    assert state.fresh() is True  # the others meanwhile: what was known
    now[0] += 2
    state.remember(False)  # it timed out
    now[0] += 4.9
    assert state.fresh() is False  # refused at once, no thread held
    now[0] += 0.2
    assert state.fresh() is None  # 5 s on: asked again, by one request
    assert state.fresh() is False
    state.remember(True)
    assert state.fresh() is True


def test_a_redis_that_stopped_answering_is_not_asked_for_keys_again_at_once(api, frozen_redis, monkeypatch):
    """A GET needs only the database: its key is read there, and after one lookup timed out the
    cache is left alone for a few seconds instead of costing every request its timeout."""
    import uuid

    from verification.api import authentication

    monkeypatch.setattr(authentication, "_cache_outage", authentication._CacheOutage())
    asked = []

    class Watched:
        def get(self, *args, **kwargs):
            asked.append("get")
            return cache.get(*args, **kwargs)

        def set(self, *args, **kwargs):
            asked.append("set")
            return cache.set(*args, **kwargs)

    cache = authentication.cache
    monkeypatch.setattr(authentication, "cache", Watched())
    for _ in range(3):
        response = answer_of(lambda: api.get(f"/api/v1/verifications/{uuid.uuid4()}"))
        assert response.status_code == 404  # authenticated from the database; no such verification
    assert asked == ["get"]  # the first lookup's read timed out; nothing more was asked


def test_while_one_request_waits_on_a_silent_cache_the_others_read_keys_from_the_database(api, frozen_redis, monkeypatch):
    import threading
    import uuid

    from django.db import connections

    from verification.api import authentication

    monkeypatch.setattr(authentication, "_cache_outage", authentication._CacheOutage())
    asked, waiting = [], threading.Event()

    class Watched:
        def get(self, *args, **kwargs):
            asked.append("get")
            waiting.set()
            return cache.get(*args, **kwargs)  # up to its 2 s timeout: the Redis is frozen

        def set(self, *args, **kwargs):
            asked.append("set")
            return cache.set(*args, **kwargs)

    cache = authentication.cache
    monkeypatch.setattr(authentication, "cache", Watched())

    def first():
        try:
            api.get(f"/api/v1/verifications/{uuid.uuid4()}")
        finally:
            connections.close_all()

    waiter = threading.Thread(target=first)
    waiter.start()
    assert waiting.wait(10)
    response = answer_of(lambda: api.get(f"/api/v1/verifications/{uuid.uuid4()}"))
    assert response.status_code == 404  # this one's key came from the database
    assert asked == ["get"]  # only the first asked the cache
    waiter.join(10)
