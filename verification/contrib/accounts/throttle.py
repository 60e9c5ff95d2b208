"""Sign-in attempts limited per address, per username from one address and per username from all,
signup posts limited per address, and number changes per account and per address."""

from django.conf import settings

from verification import clock, ratelimit


def _setting(name, default):
    return getattr(settings, name, default)


def _username_key(username):
    # Unknown usernames are limited the same way, so the limit tells nothing.
    return username.strip().casefold()[:150]


def login_rules(*, ip, username):
    window = _setting("ACCOUNTS_LOGIN_WINDOW_SECONDS", 900)
    ip = ip or "unknown"
    return [
        ratelimit.Rule(
            "login-ip",
            ip,
            limit=_setting("ACCOUNTS_LOGIN_ATTEMPTS_PER_IP", 20),
            window=window,
            detail="Too many sign-in attempts from this address.",
            code="too_many_logins_from_ip",
        ),
        # Per (username, address): someone guessing from one address cannot lock the owner out.
        ratelimit.Rule(
            "login-user-ip",
            f"{ip}|{_username_key(username)}",
            limit=_setting("ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME_AND_IP", 5),
            window=window,
            detail="Too many sign-in attempts for this username from this address.",
            code="too_many_logins_for_username_from_ip",
        ),
        # Looser, across addresses: a guess spread over many addresses is still bounded.
        ratelimit.Rule(
            "login-user",
            _username_key(username),
            limit=_setting("ACCOUNTS_LOGIN_ATTEMPTS_PER_USERNAME", 50),
            window=window,
            detail="Too many sign-in attempts for this username.",
            code="too_many_logins_for_username",
        ),
    ]


def login_attempt(*, ip, username):
    """Count one attempt, or raise Throttled (with `retry_after`) before the password is looked at."""
    ratelimit.hit(login_rules(ip=ip, username=username), now=clock.now().timestamp())


def login_succeeded(*, ip, username):
    """A right password clears its username's counts; the address keeps its own."""
    for rule in login_rules(ip=ip, username=username)[1:]:
        ratelimit.reset(rule)


def signup_rule(*, ip):
    return ratelimit.Rule(
        "signup-ip",
        ip or "unknown",
        limit=_setting("ACCOUNTS_SIGNUP_ATTEMPTS_PER_IP", 20),
        window=_setting("ACCOUNTS_SIGNUP_WINDOW_SECONDS", 900),
        detail="Too many signup attempts from this address.",
        code="too_many_signups_from_ip",
    )


def signup_attempt(*, ip):
    """Count one signup post, or raise Throttled before the form is looked at (it tells taken usernames)."""
    ratelimit.hit([signup_rule(ip=ip)], now=clock.now().timestamp())


def phone_change_rules(*, user_id, ip):
    window = _setting("ACCOUNTS_PHONE_CHANGE_WINDOW_SECONDS", 3600)
    return [
        ratelimit.Rule(
            "phone-change-user",
            str(user_id),
            limit=_setting("ACCOUNTS_PHONE_CHANGES_PER_USER", 5),
            window=window,
            detail="Too many number changes for this account.",
            code="too_many_phone_changes_for_user",
        ),
        ratelimit.Rule(
            "phone-change-ip",
            ip or "unknown",
            limit=_setting("ACCOUNTS_PHONE_CHANGES_PER_IP", 20),
            window=window,
            detail="Too many number changes from this address.",
            code="too_many_phone_changes_from_ip",
        ),
    ]


def phone_change_attempt(*, user_id, ip):
    """Count one number-change post, or raise Throttled before the number is looked at: each answer
    costs a try whatever the number, so trying many numbers is slow."""
    ratelimit.hit(phone_change_rules(user_id=user_id, ip=ip), now=clock.now().timestamp())
