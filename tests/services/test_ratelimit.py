"""The sliding-window limits, in Redis and in the development fallback."""

import time

import pytest

from verification import ratelimit
from verification.exceptions import Throttled

RULES = [
    ratelimit.Rule("cooldown", "+14155550123", limit=1, window=30, code="resend_cooldown"),
    ratelimit.Rule("hourly", "+14155550123", limit=3, window=3600, code="too_many_sends"),
]


@pytest.fixture(params=["redis", "file"])
def backend(request, settings, tmp_path):
    if request.param == "file":
        settings.CACHES = {
            **settings.CACHES,
            "ratelimit": {"BACKEND": "verification.caches.WindowFileCache", "LOCATION": str(tmp_path)},
        }
    return request.param


def test_a_hit_inside_the_window_is_refused_with_the_wait(backend):
    ratelimit.hit(RULES, now=1000.0)
    with pytest.raises(Throttled) as error:
        ratelimit.hit(RULES, now=1010.5)
    assert (error.value.code, error.value.retry_after) == ("resend_cooldown", 20)


def test_a_refused_hit_is_not_recorded(backend):
    ratelimit.hit(RULES, now=1000.0)
    for moment in (1001.0, 1002.0, 1003.0):
        with pytest.raises(Throttled):
            ratelimit.hit(RULES, now=moment)
    ratelimit.hit(RULES, now=1030.0)
    ratelimit.hit(RULES, now=1060.0)  # three recorded hits: the cap is reached only now
    with pytest.raises(Throttled) as error:
        ratelimit.hit(RULES, now=1090.0)
    assert error.value.code == "too_many_sends"
    assert error.value.retry_after == 3600 - 90


def test_the_longest_wait_wins_when_several_rules_refuse(backend):
    for moment in (0.0, 30.0, 60.0):
        ratelimit.hit(RULES, now=moment)
    with pytest.raises(Throttled) as error:
        ratelimit.hit(RULES, now=61.0)
    assert error.value.retry_after == 3539


def test_a_hit_taken_back_leaves_the_others_counting(backend):
    ratelimit.hit(RULES, now=0.0)
    taken_back = ratelimit.hit(RULES, now=40.0)
    ratelimit.refund(RULES, taken_back)
    ratelimit.hit(RULES, now=45.0)  # the cooldown of the hit at 40 s is gone with it
    ratelimit.hit(RULES, now=80.0)
    with pytest.raises(Throttled) as error:  # 0, 45 and 80 count: the hourly cap is reached
        ratelimit.hit(RULES, now=120.0)
    assert error.value.code == "too_many_sends"


def test_a_recorded_send_counts_even_over_the_limit(backend):
    ratelimit.hit(RULES, now=0.0)
    ratelimit.record(RULES, now=10.0)  # a fallback call: admitted with its verification
    with pytest.raises(Throttled) as error:
        ratelimit.hit(RULES, now=35.0)  # 25 s after the recorded one
    assert (error.value.code, error.value.retry_after) == ("resend_cooldown", 5)


def test_reset_forgets_the_hits(backend):
    ratelimit.hit(RULES, now=1000.0)
    for rule in RULES:
        ratelimit.reset(rule)
    ratelimit.hit(RULES, now=1001.0)


def test_seconds_until_free(backend):
    ratelimit.hit(RULES, now=1000.0)
    assert ratelimit.seconds_until_free(RULES[0], now=1010.0) == 20
    assert ratelimit.seconds_until_free(RULES[1], now=1010.0) == 0


def test_active_windows_lists_what_holds_hits(backend):
    import time

    ratelimit.hit(RULES, now=time.time())
    listed = {(name, subject, hits) for name, subject, hits, _ in ratelimit.active_windows()}
    assert listed == {("cooldown", "+14155550123", 1), ("hourly", "+14155550123", 1)}


def test_a_limit_reached_stays_reached_however_many_other_windows_are_open(settings, tmp_path):
    """Without Redis the windows are files; Django's file cache culls a random third of
    them at 300, which silently lifted limits (and fraud blocks) on a busy `make run`."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {"BACKEND": "verification.caches.WindowFileCache", "LOCATION": str(tmp_path)},
    }
    assert ratelimit._redis() is None
    reached = [ratelimit.Rule("ip", f"192.0.2.{i}", limit=1, window=3600, code="too_many_verifications_from_ip")
               for i in range(50)]  # fmt: skip
    for rule in reached:
        ratelimit.hit([rule], now=1000.0)
    for i in range(400):  # other people's windows, more than the cache's MAX_ENTRIES (300)
        ratelimit.hit([ratelimit.Rule("hourly", f"+1415556{i:04d}", limit=3, window=3600, code="too_many_sends")], now=1001.0)
    for rule in reached:  # every limit reached is still reached
        with pytest.raises(Throttled):
            ratelimit.hit([rule], now=1002.0)


def test_a_full_window_cache_removes_only_what_has_expired(tmp_path, monkeypatch):
    from verification.caches import WindowFileCache

    monkeypatch.setattr(WindowFileCache, "SWEEP_SECONDS", 0)
    cache = WindowFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10}})
    for i in range(6):
        cache.set(f"gone-{i}", i, timeout=0.05)
    time.sleep(0.1)
    for i in range(30):
        cache.set(f"kept-{i}", i, timeout=3600)
    assert [cache.get(f"kept-{i}") for i in range(30)] == list(range(30))  # none culled, past MAX_ENTRIES
    assert len(list(tmp_path.glob("*.djcache"))) == 30  # the expired ones swept when it was full
