"""A code step for a number another account has verified: it looks like any other, sends nothing, can never succeed.

Saying "this number is taken" would let anyone signed in (or signing up) learn which numbers have accounts
here. So a signup, a sign-in that finishes a signup, or a number change to such a number gets the same answer
as for a free number -- the code page, its tries, its expiry, its resend and new-code waits, the same refusals
(unknown channel, country, SMS to a fixed line, throttled) -- but:

- no code goes to the phone: it is the owner's, who asked for nothing; the owner's own pending code is not
  superseded, and the owner's per-number send limits are not spent (the waits shown come from stand-in
  windows of the same sizes, `withheld-number-cooldown` and `withheld-number-hourly`, plus a look at the
  real ones, never a hit on them);
- no code exists, so none typed can match; the step ends like any other, by tries, by time or by giving up.

The state (times, wrong tries) lives in the session's code flow, which never leaves the server; nothing is
written to the verifications' tables, so the dashboard's conversion figures stay true. Every start is in the
accounts' audit trail (AccountEvent, outcome `withheld`).
"""

import dataclasses
import secrets
import uuid
from datetime import UTC, datetime

from verification import clock, health, ratelimit
from verification.codes import encrypt_code
from verification.conf import app_settings
from verification.exceptions import ChannelNotAvailable, KeypadOnly, Throttled, VerificationNotPending
from verification.models import Channel, Status, VerificationAttempt
from verification.phones import parse_phone_number
from verification.services.verifications import CheckResult, create_rules, send_rules


def shadow_rules(phone_number):
    """Stand-ins for the number's send limits: the same sizes, their own keys."""
    return [dataclasses.replace(rule, name=f"withheld-{rule.name}") for rule in send_rules(phone_number)]


def _check_real_limits(phone_number, now):
    """Refuse as a real send would when the number's real limits are full (without recording a hit)."""
    for rule in send_rules(phone_number):
        wait = ratelimit.seconds_until_free(rule, now=now)
        if wait:
            raise Throttled(f"{rule.detail} Try again in {wait} seconds.", retry_after=wait, code=rule.code)


def _send_checks(phone_number, channel, *, client_ip=None, creating):
    """What verification_create / verification_resend would refuse before sending, in the same order."""
    parsed = parse_phone_number(phone_number)
    if channel == Channel.SMS and parsed.is_fixed_line:
        raise ChannelNotAvailable("This number is a fixed line and cannot receive SMS; use channel 'call'.")
    health.require_broker()
    now = clock.now().timestamp()
    _check_real_limits(parsed.e164, now)
    rules = (create_rules(client_ip=client_ip) if creating else []) + shadow_rules(parsed.e164)
    ratelimit.hit(rules, now=now)
    return parsed, now


def start(*, phone_number, channel, actor):
    """A new withheld code step; returns (verification id, state) for the flow."""
    if channel not in Channel.values:
        raise ChannelNotAvailable(f"Unknown channel {channel!r}.")
    _, now = _send_checks(phone_number, channel, client_ip=actor.ip, creating=True)
    keypad = app_settings.VOICE_MODE == "keypad" and channel == Channel.CALL
    state = {
        "created": now,
        "expires": now + app_settings.TTL_SECONDS,
        "sent": now,
        "failed": 0,
        "max": app_settings.MAX_CHECKS,
        "status": Status.PENDING,
        "voice_mode": "keypad" if keypad else "read",
        # Shown on the page in keypad mode, as a real one would be; it proves nothing (no call asks for it).
        "keypad_code": "".join(secrets.choice("0123456789") for _ in range(app_settings.CODE_LENGTH)),
    }
    return str(uuid.uuid4()), state


def _when(timestamp):
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _settle(state):
    """Expire the state if its time ran out."""
    if state["status"] == Status.PENDING and clock.now().timestamp() >= state["expires"]:
        state["status"] = Status.EXPIRED


def as_verification(flow):
    """An unsaved VerificationAttempt the code page can show like any other."""
    state = flow.withheld
    _settle(state)
    verification = VerificationAttempt(
        id=flow.verification_id,
        phone_number=flow.phone_number,
        channel=flow.channel,
        voice_mode=state["voice_mode"],
        status=state["status"],
        failed_checks=state["failed"],
        max_checks=state["max"],
        created_at=_when(state["created"]),
        expires_at=_when(state["expires"]),
        last_sent_at=_when(state["sent"]),
    )
    if state["status"] == Status.PENDING and state["voice_mode"] == "keypad":
        verification.code_encrypted = encrypt_code(state["keypad_code"])
    verification.withheld = True  # resend_wait_seconds also looks at the stand-in windows
    return verification


def check(flow, *, code):
    """A typed code: always wrong, counted like a real one (the flow's state changes: save the flow)."""
    state = flow.withheld
    _settle(state)
    if state["status"] == Status.PENDING and state["voice_mode"] == "keypad":
        raise KeypadOnly()
    if state["status"] != Status.PENDING:
        verification = as_verification(flow)
        return CheckResult(verification, VerificationNotPending(verification.status).code)
    state["failed"] += 1
    if state["failed"] >= state["max"]:
        state["status"] = Status.MAX_ATTEMPTS_REACHED
    return CheckResult(as_verification(flow), valid=False)


def resend(flow, *, channel):
    """A resend: the same refusals and waits as a real resend, and nothing sent."""
    state = flow.withheld
    if channel is not None and channel not in (Channel.CALL, Channel.SMS):
        raise ChannelNotAvailable("A resend goes by 'call' or 'sms'.")
    _settle(state)
    if state["status"] != Status.PENDING:
        raise VerificationNotPending(state["status"])
    if channel == Channel.SMS and state["voice_mode"] == "keypad":
        raise ChannelNotAvailable("In keypad mode the code goes by call only.")
    _, now = _send_checks(flow.phone_number, channel, creating=False)
    state["sent"] = now
    return flow

