"""Reading codes off the sandbox's phones, as a person would read their own."""

import re

from tests.helpers import inbox, wait_for


def _newest(live_site, number, channel, count, done):
    def ready():
        entries = [e for e in inbox(live_site, number) if e["channel"] == channel]
        return entries if len(entries) >= count and done(entries[0]) else None

    return wait_for(ready, timeout=20, message=f"{count} {channel} to {number}")[0]


def sms_code(live_site, number, count=1):
    """The code of the newest SMS to `number` (its last line is `@host #code`)."""
    sms = _newest(live_site, number, "sms", count, lambda e: bool(e["text"]))
    return sms["text"].splitlines()[-1].split("#")[1]


def call_code(live_site, number, count=1):
    """The code the newest call to `number` read out, digit by digit."""
    call = _newest(live_site, number, "call", count, lambda e: e["status"] == "completed")
    return re.search(r"verification code is: (\d(?:, \d)*)", call["text"]).group(1).replace(", ", "")
