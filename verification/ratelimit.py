"""Sliding-window rate limits that hold across processes.

With Redis (REDIS_URL) every check-and-record is one Lua script, so it is
atomic across all gunicorn and Celery processes: either every rule has room
and the hit is recorded under all of them, or nothing is recorded and the
caller learns how long to wait. Without Redis (development) the same
algorithm runs over the file-based `ratelimit` cache under a file lock.

Every key carries the hash tag `{rl}`, so that one script's keys (a create's
limits on the number, the key, the address, the country and all sends) are in
one slot and the script runs unchanged on Redis Cluster (REDIS_CLUSTER_URL).
"""

import contextlib
import fcntl
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from redis.cluster import RedisCluster
from redis.exceptions import ClusterDownError, SlotNotCoveredError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .exceptions import ServiceUnavailable, Throttled
from .messages import try_again_in

logger = logging.getLogger(__name__)

# The hash tag: every limit in one slot, as one script must have them on Redis Cluster.
KEY_PREFIX = "otp:{rl}"
INDEX_KEY = f"{KEY_PREFIX}-index"

# KEYS: one sorted set per rule. ARGV: now_ms, member, then limit and window_ms per rule.
# Returns {0, 0} when recorded, or {rule index (1-based), ms to wait}.
HIT_SCRIPT = """
local now = tonumber(ARGV[1])
local member = ARGV[2]
local blocked, wait = 0, 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + i * 2])
  local window = tonumber(ARGV[2 + i * 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, redis.call('ZCARD', key) - limit, 'WITHSCORES')
    local free_at = tonumber(oldest[#oldest]) + window
    if free_at - now > wait then blocked, wait = i, free_at - now end
  end
end
if blocked > 0 then return {blocked, wait} end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, tonumber(ARGV[2 + i * 2]))
end
return {0, 0}
"""


# KEYS: one sorted set per rule. ARGV: the member a hit recorded. Takes that hit back.
REFUND_SCRIPT = """
for _, key in ipairs(KEYS) do redis.call('ZREM', key, ARGV[1]) end
return 0
"""

# KEYS: one sorted set per rule. ARGV: now_ms, member, then window_ms per rule. Records a hit
# whatever the counts: a send admitted earlier (a verification's fallback call) still counts.
RECORD_SCRIPT = """
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[1], ARGV[2])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 + i]))
end
return 0
"""


# KEYS: the slot key. ARGV: now_ms, interval_ms. The next free slot, taken: returns ms until it.
RESERVE_SCRIPT = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local last = tonumber(redis.call('GET', KEYS[1]) or '-1e18')
local slot = math.max(now, last + interval)
redis.call('SET', KEYS[1], string.format('%.0f', slot), 'PX', math.floor(slot - now + interval * 2))
return math.floor(slot - now)
"""


@dataclass(frozen=True)
class Rule:
    """At most `limit` hits per `window` seconds for one subject."""

    name: str  # e.g. "number-cooldown"
    subject: str  # e.g. "+14155550123"
    limit: int
    window: float
    detail: str = "Too many requests."
    code: str = "throttled"

    @property
    def key(self):
        return f"{KEY_PREFIX}:{self.name}:{self.subject}"


_cluster = {}


def cache_alias():
    """The cache the limits live in: CACHES["ratelimit"] where the site names one (this
    repository's deployment does), else the site's default cache."""
    return "ratelimit" if "ratelimit" in settings.CACHES else "default"


def _redis():
    """The Redis of the limits: a Redis Cluster with REDIS_CLUSTER_URL, else the limits'
    cache's (REDIS_URL), else None (a cache that is not Redis: development's file cache)."""
    cluster_url = getattr(settings, "REDIS_CLUSTER_URL", "")
    if cluster_url:
        client = _cluster.get(cluster_url)
        if client is None:
            client = _cluster[cluster_url] = RedisCluster.from_url(
                cluster_url, socket_connect_timeout=2, socket_timeout=2
            )
        return client
    try:
        from django_redis import get_redis_connection

        return get_redis_connection(cache_alias())
    except (ImportError, NotImplementedError):
        return None


@contextlib.contextmanager
def _fail_closed():
    """Redis unreachable: refuse (503) rather than let anything through unthrottled."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError, ClusterDownError, SlotNotCoveredError) as exc:
        raise ServiceUnavailable(
            "Rate limits cannot be checked just now. Try again in a moment.", dependency="redis"
        ) from exc


class _LocalWindows:
    """The same algorithm over a Django cache, without Redis (development only)."""

    lock = threading.Lock()

    @property
    def cache(self):
        return caches[cache_alias()]

    @contextlib.contextmanager
    def locked(self):
        """A thread lock, and a file lock when the cache is on disk: runserver and manage.py share it."""
        with self.lock:
            location = getattr(self.cache, "_dir", None)
            if location is None:
                yield
                return
            os.makedirs(location, exist_ok=True)
            with open(os.path.join(location, ".ratelimit.lock"), "a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def hit(self, rules, now_ms, member, *, force=False):
        with self.locked():
            windows = [
                [t for t in self.cache.get(rule.key, []) if t > now_ms - rule.window * 1000] for rule in rules
            ]
            blocked, wait = 0, 0
            for index, (rule, hits) in enumerate(zip(rules, windows, strict=True), start=1):
                if len(hits) >= rule.limit and not force:
                    free_at = sorted(hits)[len(hits) - rule.limit] + rule.window * 1000
                    if free_at - now_ms > wait:
                        blocked, wait = index, free_at - now_ms
            if blocked:
                return blocked, wait
            index = self.cache.get(INDEX_KEY, {})
            for rule, hits in zip(rules, windows, strict=True):
                self.cache.set(rule.key, [*hits, now_ms], timeout=int(rule.window) + 1)
                index[rule.key] = rule.window * 1000
            # A file cache cannot be listed, so keep an index for the admin's page.
            self.cache.set(INDEX_KEY, {k: w for k, w in index.items() if self.cache.has_key(k)}, timeout=None)
            return 0, 0

    def refund(self, rules, member):
        """Take back the hit recorded as `member` (a hit here is its time, `member`'s head)."""
        at = int(member.partition(":")[0])
        with self.locked():
            for rule in rules:
                hits = self.cache.get(rule.key, [])
                if at in hits:
                    hits.remove(at)
                    self.cache.set(rule.key, hits, timeout=int(rule.window) + 1)

    def reserve(self, key, now_ms, interval_ms):
        with self.locked():
            slot = max(now_ms, self.cache.get(key, float("-inf")) + interval_ms)
            self.cache.set(key, slot, timeout=int((slot - now_ms + interval_ms * 2) / 1000) + 1)
            return slot - now_ms

    def windows(self, now_ms):
        found = []
        for key, window_ms in sorted(self.cache.get(INDEX_KEY, {}).items()):
            hits = [t for t in self.cache.get(key, []) if t > now_ms - window_ms]
            if hits:
                found.append((key, len(hits), (max(hits) + window_ms - now_ms) / 1000))
        return found

    def peek(self, rule, now_ms):
        return [t for t in self.cache.get(rule.key, []) if t > now_ms - rule.window * 1000]

    def clear(self, rule):
        self.cache.delete(rule.key)


def hit(rules, *, now=None):
    """Record one hit under every rule, or raise Throttled and record nothing.

    Returns the hit's member, for `refund` (None when no rule applies)."""
    rules = [rule for rule in rules if rule.limit > 0 and rule.window > 0]
    if not rules:
        return None
    now_ms = int((now if now is not None else time.time()) * 1000)
    member = f"{now_ms}:{uuid.uuid4().hex}"
    client = _redis()
    if client is not None:
        args = [now_ms, member]
        for rule in rules:
            args += [rule.limit, int(rule.window * 1000)]
        with _fail_closed():
            blocked, wait_ms = client.eval(HIT_SCRIPT, len(rules), *[rule.key for rule in rules], *args)
    else:
        blocked, wait_ms = _LocalWindows().hit(rules, now_ms, member)
    if blocked:
        rule = rules[int(blocked) - 1]
        retry_after = max(1, -(-int(wait_ms) // 1000))  # ceil, at least one second
        raise Throttled(
            f"{rule.detail} {try_again_in(retry_after)}",
            retry_after=retry_after,
            code=rule.code,
            wait_seconds=int(wait_ms) / 1000,
        )
    return member


def refund(rules, member):
    """Take back a hit that `hit` recorded as `member` under `rules`: what it counted did not
    happen (a create the fraud guard refused sent nothing). Never raises: a hit that cannot
    be taken back just counts until its window ends, as before."""
    rules = [rule for rule in rules if rule.limit > 0 and rule.window > 0]
    if not rules or member is None:
        return
    try:
        client = _redis()
        if client is not None:
            client.eval(REFUND_SCRIPT, len(rules), *[rule.key for rule in rules], member)
        else:
            _LocalWindows().refund(rules, member)
    except Exception:
        logger.warning("Could not take back a rate-limit hit; it counts until its window ends.", exc_info=True)


@contextlib.contextmanager
def refunded_on_error(rules, member):
    """Take the hit back if the block raises: nothing the rules count went out."""
    try:
        yield
    except BaseException:
        refund(rules, member)
        raise


def record(rules, *, now=None):
    """Count one hit under every rule whatever the counts (never refuses): a send admitted
    earlier, such as a verification's fallback call, uses the number's cooldown and caps."""
    rules = [rule for rule in rules if rule.limit > 0 and rule.window > 0]
    if not rules:
        return
    now_ms = int((now if now is not None else time.time()) * 1000)
    member = f"{now_ms}:{uuid.uuid4().hex}"
    client = _redis()
    if client is not None:
        with _fail_closed():
            client.eval(RECORD_SCRIPT, len(rules), *[rule.key for rule in rules], now_ms, member,
                        *[int(rule.window * 1000) for rule in rules])  # fmt: skip
    else:
        _LocalWindows().hit(rules, now_ms, member, force=True)


def reserve_slot(name, subject, *, interval, now=None):
    """Take the next free slot of a queue that lets one thing through every `interval`
    seconds (shared by every process); returns the seconds to wait for it (0: go now).

    Each caller is given its own slot once, so a backlog waits in line instead of
    everyone waking at the same moment and trying again.
    """
    now_ms = int((now if now is not None else time.time()) * 1000)
    key = f"{KEY_PREFIX}-slot:{name}:{subject}"
    client = _redis()
    if client is not None:
        with _fail_closed():
            wait_ms = client.eval(RESERVE_SCRIPT, 1, key, now_ms, int(interval * 1000))
    else:
        wait_ms = _LocalWindows().reserve(key, now_ms, int(interval * 1000))
    return max(0, int(wait_ms)) / 1000


def seconds_until_free(rule, *, now=None):
    """How long until `rule` would accept one more hit (0 if it would now)."""
    now_ms = int((now if now is not None else time.time()) * 1000)
    client = _redis()
    if client is not None:
        with _fail_closed():
            client.zremrangebyscore(rule.key, "-inf", now_ms - rule.window * 1000)
            scores = [score for _, score in client.zrange(rule.key, 0, -1, withscores=True)]
    else:
        scores = _LocalWindows().peek(rule, now_ms)
    if len(scores) < rule.limit:
        return 0
    free_at = sorted(scores)[len(scores) - rule.limit] + rule.window * 1000
    return max(0, -(-int(free_at - now_ms) // 1000))


def reset(rule):
    """Forget every hit under `rule` (an admin's unblock)."""
    client = _redis()
    if client is not None:
        client.delete(rule.key)
    else:
        _LocalWindows().clear(rule)


def active_windows(limit=500):
    """Every window with hits now, as (name, subject, hits, seconds left)."""
    client = _redis()
    if client is None:
        now_ms = int(time.time() * 1000)
        return [
            (*key.split(":", 3)[2:], hits, ttl) for key, hits, ttl in _LocalWindows().windows(now_ms)[:limit]
        ]
    found = []
    for raw in client.scan_iter(match=f"{KEY_PREFIX}:*", count=200):
        key = raw.decode() if isinstance(raw, bytes) else raw
        _, _, name, subject = key.split(":", 3)
        found.append((name, subject, client.zcard(key), max(client.pttl(key), 0) / 1000))
        if len(found) >= limit:
            break
    return sorted(found)
