"""Sign-in attempts limited per IP address and per username (failed or not, until one succeeds)."""

from django.conf import settings

from .. import clock, ratelimit


def _setting(name, default):
    return getattr(settings, name, default)


def login_rules(*, ip, username):
    window = _setting("ACCOUNTS_LOGIN_WINDOW_SECONDS", 900)
    return [
        ratelimit.Rule(
            "login-ip",
            ip or "unknown",
            limit=_setting("ACCOUNTS_LOGIN_ATTEMPTS_PER_IP", 20),
            window=window,
            detail="Too many sign-in attempts from this address.",
            code="too_many_logins_from_ip",
        ),
        ratelimit.Rule(
            "login-user",
            # Unknown usernames are limited the same way, so the limit tells nothing.
            username.strip().casefold()[:150],
            limit=_setting("ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME", 5),
            window=window,
            detail="Too many sign-in attempts for this username.",
            code="too_many_logins_for_username",
        ),
    ]


def login_attempt(*, ip, username):
    """Count one attempt, or raise Throttled (with `retry_after`) before the password is looked at."""
    ratelimit.hit(login_rules(ip=ip, username=username), now=clock.now().timestamp())


def login_succeeded(*, ip, username):
    """A right password clears its username's count; the address keeps its own."""
    ratelimit.reset(login_rules(ip=ip, username=username)[1])
