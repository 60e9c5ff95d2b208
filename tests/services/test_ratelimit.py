"""The sliding-window limits, in Redis and in the development fallback."""

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
            "ratelimit": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)},
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
