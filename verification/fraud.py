"""The conversion guard: number ranges and countries whose codes are sent but never used.

Traffic pumping asks for codes to numbers the attacker is paid for and never types one
in. For each number range (the E.164 number without its last four digits) and each
country the guard keeps the sends and approvals of the last
`VERIFICATION_FRAUD_WINDOW_SECONDS` in Redis. Before a send: once a scope has at least
`VERIFICATION_FRAUD_MIN_SENDS` sends in its window and a conversion (approved / sent)
under `VERIFICATION_FRAUD_MIN_CONVERSION`, it is blocked for
`VERIFICATION_FRAUD_BLOCK_SECONDS`, and every verification to it is refused
(`403 delivery_blocked`) until then or until an admin lifts it.

A send is judged once it has had `VERIFICATION_FRAUD_GRACE_SECONDS` to be used: the sends
of the grace period not matched by an approval are left out of both counts, so thirty
people signing up in the same minute, most of them still reading their code, do not
count as thirty unused codes. Pumping is then refused once its first sends are that old.

The check and the recording of the send are one Lua script, so concurrent creates
cannot all slip past the threshold, and the block is set by exactly one of them (that
one writes the `FraudBlock` row and mails the admins). A blocked range's traffic is
taken out of its country's window, so one pumped range never blocks its country.
Without Redis (development) the same algorithm runs over the `ratelimit` file cache,
under ratelimit's lock; with Redis down it refuses (503) rather than send unguarded.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, country_code_for_region

from .conf import app_settings
from .exceptions import DeliveryBlocked, ServiceUnavailable
from .messages import wait_words
from .models import FraudBlock, FraudScope
from .ratelimit import _fail_closed, _LocalWindows, _redis

logger = logging.getLogger(__name__)

KEY_PREFIX = "otp:fg"

# KEYS: per scope (narrowest first) its sends, approvals and block keys; last, the scopes'
# tag's `restored` key (set once the blocks on record were written back into this Redis).
# ARGV: now_ms, member, window_ms, min_sends, min_conversion, block_ms, record (1/0), block_id,
# grace_ms (a scope's sends younger than it, beyond its approvals, are not judged yet).
# Returns {0} when the send may go (and was recorded), {-1} (nothing done) when this Redis has
# not had its tag's blocks written back yet (it was restarted or emptied), or
# {scope index (1-based), 1 if this call set the block, the block's value "id|sends|approvals|since_ms|until_ms",
# ms left}. A block ends at its until_ms by the caller's clock (the key's own expiry only tidies up).
CHECK_SCRIPT = """
if redis.call('EXISTS', KEYS[#KEYS]) == 0 then return {-1} end
local now = tonumber(ARGV[1])
local member = ARGV[2]
local window = tonumber(ARGV[3])
local min_sends = tonumber(ARGV[4])
local min_conversion = tonumber(ARGV[5])
local block_ms = tonumber(ARGV[6])
local grace = tonumber(ARGV[9])
local n = (#KEYS - 1) / 3
local function forget(key, members)
  for k = 1, #members, 500 do
    redis.call('ZREM', key, unpack(members, k, math.min(k + 499, #members)))
  end
end
for i = 1, n do
  local sends, approvals, block = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local existing = redis.call('GET', block)
  if existing then
    local until_ms = tonumber(string.match(existing, '|(%d+)$'))
    if until_ms > now then return {i, 0, existing, until_ms - now} end
    redis.call('DEL', block)
  end
  redis.call('ZREMRANGEBYSCORE', sends, '-inf', now - window)
  redis.call('ZREMRANGEBYSCORE', approvals, '-inf', now - window)
  local sent = redis.call('ZCARD', sends)
  local approved = redis.call('ZCARD', approvals)
  local judged = sent
  if grace > 0 then  -- not folded: with no grace, a send a parallel request recorded after `now` is judged too
    judged = sent - math.max(0, redis.call('ZCOUNT', sends, '(' .. (now - grace), '+inf') - approved)
  end
  if judged >= min_sends and approved < min_conversion * judged then
    local value = ARGV[8] .. '|' .. sent .. '|' .. approved .. '|' .. now .. '|' .. string.format('%.0f', now + block_ms)
    redis.call('SET', block, value, 'PX', block_ms)
    local sent_members = redis.call('ZRANGE', sends, 0, -1)
    local approved_members = redis.call('ZRANGE', approvals, 0, -1)
    for j = i + 1, n do
      forget(KEYS[3 * j - 2], sent_members)
      forget(KEYS[3 * j - 1], approved_members)
    end
    redis.call('DEL', sends, approvals)
    return {i, 1, value, block_ms}
  end
end
if ARGV[7] == '1' then
  for i = 1, n do
    redis.call('ZADD', KEYS[3 * i - 2], now, member)
    redis.call('PEXPIRE', KEYS[3 * i - 2], window)
  end
end
return {0}
"""

# KEYS: the block keys to write back, then the tag's `restored` key. ARGV: per block key its
# value and ms left. A block already there (set since) is kept.
RESTORE_SCRIPT = """
for i = 1, #KEYS - 1 do
  redis.call('SET', KEYS[i], ARGV[2 * i - 1], 'PX', tonumber(ARGV[2 * i]), 'NX')
end
redis.call('SET', KEYS[#KEYS], '1')
return #KEYS - 1
"""

# KEYS: per scope its approvals key. ARGV: now_ms, member, window_ms.
APPROVE_SCRIPT = """
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], tonumber(ARGV[1]), ARGV[2])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[3]))
end
return #KEYS
"""


def calling_code(digits):
    """The country calling code that `digits` (an E.164 number or range) starts with ("44")."""
    digits = str(digits).lstrip("+")
    for size in (1, 2, 3):  # calling codes are prefix-free: one length matches
        if digits[:size].isdigit() and int(digits[:size]) in COUNTRY_CODE_TO_REGION_CODE:
            return digits[:size]
    return "0"


@dataclass(frozen=True)
class Scope:
    kind: str  # FraudScope
    subject: str  # "+44790012" or "GB"

    @property
    def tag(self):
        """The hash tag shared by a range and its country: their calling code."""
        if self.kind == FraudScope.RANGE:
            return calling_code(self.subject)
        return str(country_code_for_region(self.subject))

    def key(self, part):
        return f"{KEY_PREFIX}:{{{self.tag}}}:{self.kind}:{self.subject}:{part}"

    @property
    def keys(self):
        return [self.key("sends"), self.key("approvals"), self.key("block")]


def restored_key(tag):
    """Set in a Redis once the blocks on record for `tag` (a calling code) were written back
    into it: a Redis restarted without its data, or emptied, has lost them."""
    return f"{KEY_PREFIX}:{{{tag}}}:restored"


def blocks_on_record(tag, *, now_ms):
    """The blocks not lifted nor ended of every range and country with calling code `tag`,
    as (block key, value, ms left): what the guard's Redis must hold."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(int(tag), ()) if tag.isdigit() else ()
    now = datetime.fromtimestamp(now_ms / 1000, tz=UTC)
    rows = active_blocks(now=now).filter(
        Q(scope=FraudScope.RANGE, subject__startswith=f"+{tag}") | Q(scope=FraudScope.COUNTRY, subject__in=regions)
    )
    found = []
    for block in rows:
        scope = Scope(block.scope, block.subject)
        if scope.tag != tag:  # a range of a longer calling code that starts with this one
            continue
        until_ms = int(block.blocked_until.timestamp() * 1000)
        since_ms = int(block.created_at.timestamp() * 1000)
        value = f"{block.pk}|{block.sends}|{block.approvals}|{since_ms}|{until_ms}"
        found.append((scope.key("block"), value, until_ms - now_ms))
    return found


def number_range(e164):
    """The E.164 number without its last four digits."""
    return str(e164)[:-4]


def scopes_of(e164, country):
    """The scopes a number is judged in, narrowest first."""
    return [Scope(FraudScope.RANGE, number_range(e164)), Scope(FraudScope.COUNTRY, country or "ZZ")]


def _now_ms(now):
    return int((now.timestamp() if now is not None else time.time()) * 1000)


class _LocalGuard(_LocalWindows):
    """The same script over the `ratelimit` cache, without Redis (development only)."""

    def check(self, scopes, now_ms, member, window_ms, min_sends, min_conversion, block_ms, record, block_id, grace_ms):
        cache = self.cache
        with self.locked():
            if not cache.has_key(restored_key(scopes[0].tag)):
                return (-1,)
            for index, scope in enumerate(scopes, start=1):
                sends_key, approvals_key, block_key = scope.keys
                block = cache.get(block_key)
                if block is not None and block[1] > now_ms:
                    return index, 0, block[0], block[1] - now_ms
                sends = [(t, m) for t, m in cache.get(sends_key, []) if t > now_ms - window_ms]
                approvals = [(t, m) for t, m in cache.get(approvals_key, []) if t > now_ms - window_ms]
                recent = sum(1 for t, _ in sends if t > now_ms - grace_ms)
                # No grace: every send is judged, one recorded after now_ms by a parallel request too.
                judged = len(sends) - max(0, recent - len(approvals)) if grace_ms > 0 else len(sends)
                if judged >= min_sends and len(approvals) < min_conversion * judged:
                    value = f"{block_id}|{len(sends)}|{len(approvals)}|{now_ms}|{now_ms + block_ms}"
                    cache.set(block_key, (value, now_ms + block_ms), timeout=block_ms // 1000 + 1)
                    sent, approved = {m for _, m in sends}, {m for _, m in approvals}
                    for wider in scopes[index:]:
                        for key, members in ((wider.key("sends"), sent), (wider.key("approvals"), approved)):
                            cache.set(key, [e for e in cache.get(key, []) if e[1] not in members], timeout=window_ms // 1000 + 1)
                    cache.delete_many([sends_key, approvals_key])
                    return index, 1, value, block_ms
            if record:
                for scope in scopes:
                    key = scope.key("sends")
                    hits = [(t, m) for t, m in cache.get(key, []) if t > now_ms - window_ms]
                    cache.set(key, [*hits, (now_ms, member)], timeout=window_ms // 1000 + 1)
            return (0,)

    def restore(self, found, restored, now_ms):
        with self.locked():
            for key, value, left_ms in found:
                if self.cache.get(key) is None:
                    until_ms = int(value.rsplit("|", 1)[1])
                    self.cache.set(key, (value, until_ms), timeout=left_ms // 1000 + 1)
            self.cache.set(restored, 1, timeout=None)

    def approve(self, scopes, now_ms, member, window_ms):
        with self.locked():
            for scope in scopes:
                key = scope.key("approvals")
                hits = [(t, m) for t, m in self.cache.get(key, []) if t > now_ms - window_ms]
                self.cache.set(key, [*hits, (now_ms, member)], timeout=window_ms // 1000 + 1)

    def clear(self, keys):
        with self.locked():
            self.cache.delete_many(keys)

    def block_value(self, key):
        block = self.cache.get(key)
        return block[0] if block is not None else None


def guard(parsed, *, now=None, record=True):
    """Refuse (DeliveryBlocked) a send to `parsed`'s range or country if either is blocked or
    has just earned a block; otherwise record the send (unless `record` is false: a resend
    of a verification already counted)."""
    if not app_settings.FRAUD_GUARD:
        return
    scopes = scopes_of(parsed.e164, parsed.country)
    now_ms = _now_ms(now)
    window_ms = app_settings.FRAUD_WINDOW_SECONDS * 1000
    block_ms = app_settings.FRAUD_BLOCK_SECONDS * 1000
    block_id = str(uuid.uuid4())
    args = [
        now_ms,
        f"{now_ms}:{uuid.uuid4().hex}",
        window_ms,
        app_settings.FRAUD_MIN_SENDS,
        repr(float(app_settings.FRAUD_MIN_CONVERSION)),
        block_ms,
        1 if record else 0,
        block_id,
        app_settings.FRAUD_GRACE_SECONDS * 1000,
    ]
    tag = scopes[0].tag  # a range and its country share it (their calling code)
    keys = [*[k for scope in scopes for k in scope.keys], restored_key(tag)]
    client = _redis()
    local = _LocalGuard() if client is None else None
    for _ in range(2):
        if local is not None:
            result = local.check(scopes, now_ms, args[1], window_ms, args[3], float(args[4]), block_ms, record, block_id, args[8])
        else:
            with _fail_closed():
                result = client.eval(CHECK_SCRIPT, len(keys), *keys, *args)
        if int(result[0]) != -1:
            break
        _restore(client, local, tag, now_ms)  # this Redis lost its blocks: the records write them back
    else:  # emptied again between the write-back and the check: refuse rather than send unguarded
        raise ServiceUnavailable("The fraud guard cannot check this number just now.", dependency="redis")
    if int(result[0]) == 0:
        return
    index, created, value, left_ms = result
    value = value.decode() if isinstance(value, bytes) else value
    # The row is written by the call that set the block; a later refusal writes it again if a
    # rolled-back transaction (an idempotent create refused) took it away.
    _record_block(scopes[int(index) - 1], value, until_ms=now_ms + int(left_ms), new=bool(int(created)))
    raise DeliveryBlocked()


def approved(verification, *, now=None):
    """Count an approval for the verification's range and country. Never raises: the
    check has already succeeded, and one approval lost only makes the guard stricter."""
    if not app_settings.FRAUD_GUARD:
        return
    # as_e164, not str(): the number was validated when the verification was made, and
    # str() validates it again (a fifth of the approval's CPU).
    scopes = scopes_of(verification.phone_number.as_e164, verification.country)
    now_ms = _now_ms(now)
    window_ms = app_settings.FRAUD_WINDOW_SECONDS * 1000
    member = str(verification.pk)
    try:
        client = _redis()
        if client is None:
            _LocalGuard().approve(scopes, now_ms, member, window_ms)
            return
        # One script, as the guard's check: one command to pack and one answer to parse,
        # where a MULTI pipeline of the same writes was six of each.
        keys = [scope.key("approvals") for scope in scopes]
        client.eval(APPROVE_SCRIPT, len(keys), *keys, now_ms, member, window_ms)
    except Exception:
        logger.warning("The fraud guard could not count an approval.", exc_info=True)


def _record_block(scope, value, *, until_ms, new):
    """The block's row (the record of who blocked what, and why); when this call set it, the admins' mail."""
    block_id, sends, approvals, since_ms, _ = value.split("|")
    if not new and FraudBlock.objects.filter(pk=block_id).exists():
        return None
    since = datetime.fromtimestamp(int(since_ms) / 1000, tz=UTC)
    block, created = FraudBlock.objects.get_or_create(
        id=block_id,
        defaults={
            "scope": scope.kind,
            "subject": scope.subject,
            "sends": int(sends),
            "approvals": int(approvals),
            "window_seconds": app_settings.FRAUD_WINDOW_SECONDS,
            "min_sends": app_settings.FRAUD_MIN_SENDS,
            "min_conversion": app_settings.FRAUD_MIN_CONVERSION,
            "created_at": since,
            "blocked_until": datetime.fromtimestamp(until_ms / 1000, tz=UTC),
        },
    )
    if new:
        logger.warning(
            "Fraud guard: blocked %s %s (%s sends, %s approved in %s s)",
            block.scope, block.shown_subject, block.sends, block.approvals, block.window_seconds,
        )
        _mail_admins(block)  # now, not on commit: the alert matters even if the request's transaction rolls back
    return block


# The alert's subject and first sentence, one per scope: a translation declines "range" and "country" its own way.
MAIL_SUBJECT = {
    FraudScope.RANGE: gettext_lazy("Fraud guard: number range %(subject)s blocked"),
    FraudScope.COUNTRY: gettext_lazy("Fraud guard: country %(subject)s blocked"),
}
MAIL_BLOCKED = {
    FraudScope.RANGE: gettext_lazy(
        "The fraud guard blocked every new verification to the number range %(subject)s until %(until)s UTC."
    ),
    FraudScope.COUNTRY: gettext_lazy(
        "The fraud guard blocked every new verification to the country %(subject)s until %(until)s UTC."
    ),
}


def _mail_admins(block):
    """The admins' alert, in the site's language (LANGUAGE_CODE): it is sent outside any request."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            conversion = f"{number_format(block.conversion)}%" if block.conversion is not None else "–"
            figures = {
                "subject": block.shown_subject,
                "until": f"{block.blocked_until:%Y-%m-%d %H:%M}",
                "window": wait_words(block.window_seconds),
                "sends": block.sends,
                "approvals": block.approvals,
                "conversion": conversion,
                "min_sends": block.min_sends,
                "min_conversion": f"{number_format(round(100 * block.min_conversion, 1))}%",
                "page": "/admin/verification/rate-limits/",
            }
            body = [
                MAIL_BLOCKED[block.scope] % figures,
                gettext(
                    "In the last %(window)s: %(sends)d codes sent, %(approvals)d approved (conversion %(conversion)s; "
                    "a block comes at %(min_sends)d sends under %(min_conversion)s)."
                )
                % figures,
                gettext(
                    "If this traffic is yours (a launch, a test campaign), lift the block on the admin's rate-limit "
                    "page (%(page)s). Otherwise leave it: someone is asking for codes nobody uses, which is what SMS "
                    "pumping and toll fraud look like."
                )
                % figures,
            ]
            mail_admins(str(MAIL_SUBJECT[block.scope] % figures), "\n\n".join(body) + "\n")
    except Exception:
        logger.exception("The fraud guard could not mail the admins about block %s.", block.pk)


def _restore(client, local, tag, now_ms):
    """Write the blocks on record for `tag` back into the guard's store, then mark it restored.
    Once per calling code after a Redis restart (one query of the block rows); a block is
    never lost with the store that held it."""
    found = [(key, value, left) for key, value, left in blocks_on_record(tag, now_ms=now_ms) if left > 0]
    if found:
        logger.warning("Fraud guard: %d block(s) for +%s written back into an emptied store", len(found), tag)
    if local is not None:
        local.restore(found, restored_key(tag), now_ms)
        return
    args = [x for _, value, left in found for x in (value, left)]
    with _fail_closed():
        client.eval(RESTORE_SCRIPT, len(found) + 1, *[key for key, _, _ in found], restored_key(tag), *args)


def active_blocks(*, now):
    return FraudBlock.objects.filter(lifted_at=None, blocked_until__gt=now)


def lift(block_id, *, actor, now):
    """An admin lifts a block: new verifications go to its scope again, its window starts
    empty, and the row says who lifted it and when. Returns the block, or None."""
    with transaction.atomic():
        block = FraudBlock.objects.select_for_update().filter(pk=block_id, lifted_at=None).first()
        if block is None:
            return None
        scope = Scope(block.scope, block.subject)
        client = _redis()
        if client is not None:
            with _fail_closed():
                current = client.get(scope.key("block"))
                current = current.decode() if isinstance(current, bytes) else current
                stale = [scope.key("block")] if current and current.startswith(f"{block.pk}|") else []
                client.delete(*stale, scope.key("sends"), scope.key("approvals"))
        else:
            local = _LocalGuard()
            current = local.block_value(scope.key("block")) or ""
            stale = [scope.key("block")] if current.startswith(f"{block.pk}|") else []
            local.clear([*stale, scope.key("sends"), scope.key("approvals")])
        block.lifted_at = now
        block.lifted_by = actor.name[:150]
        block.lifted_by_ip = actor.ip
        block.save(update_fields=["lifted_at", "lifted_by", "lifted_by_ip"])
    logger.warning("Fraud guard: %s lifted the block of %s %s", block.lifted_by, block.scope, block.shown_subject)
    return block
