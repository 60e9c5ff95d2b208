"""The one place where the verification settings and their defaults live.

`otpsite/settings.py` calls `read_environment(env)` to turn environment
variables into Django settings; the app reads them back through
`app_settings`, lazily, so `override_settings` works in tests. A site that
sets none of them gets the defaults below; `manage.py check` reports what
cannot work (`verification/checks.py`).
"""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CHANNELS = ("call", "sms", "auto")
CARRIERS = ("sandbox", "plivo")
PLIVO_APIS = ("rest", "phlo")
VOICE_MODES = ("read", "keypad")

# name -> (type, default); names and defaults are those of the contract.
DEFAULTS = {
    "VERIFICATION_CODE_LENGTH": (int, 6),
    "VERIFICATION_TTL_SECONDS": (int, 600),
    "VERIFICATION_MAX_CHECKS": (int, 5),
    "VERIFICATION_RESEND_COOLDOWN_SECONDS": (int, 30),
    "VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR": (int, 5),
    "VERIFICATION_MAX_VERIFICATIONS_PER_IP_PER_HOUR": (int, 20),
    "VERIFICATION_MAX_VERIFICATIONS_PER_KEY_PER_HOUR": (int, 1000),
    "VERIFICATION_FALLBACK_AFTER_SECONDS": (int, 60),
    "VERIFICATION_VOICE_REPEAT": (int, 2),
    "VERIFICATION_VOICE_REQUIRE_KEYPRESS": (bool, True),
    "VERIFICATION_VOICE_MODE": (str, "read"),
    "VERIFICATION_VOICE_ENGINE": (str, "standard"),  # or "polly": Amazon Polly voices, digits in SSML
    "VERIFICATION_ALLOWED_COUNTRIES": (list, []),
    # The fraud guard's caps (contract section 10): phonenumbers' types never sent to,
    # sends per country per hour (with per-country overrides, e.g. GB=100,IN=500), and all sends.
    "VERIFICATION_BLOCKED_NUMBER_TYPES": (list, ["premium_rate", "shared_cost", "uan", "pager", "voicemail"]),
    "VERIFICATION_MAX_SENDS_PER_COUNTRY_PER_HOUR": (int, 1000),
    "VERIFICATION_COUNTRY_SEND_LIMITS": (list, []),
    "VERIFICATION_MAX_SENDS_PER_HOUR": (int, 20000),
    # The conversion guard: a range (E.164 minus 4 digits) or country with at least MIN_SENDS
    # sends in the window and conversion (approved / sent) under MIN_CONVERSION is blocked.
    "VERIFICATION_FRAUD_GUARD": (bool, True),
    "VERIFICATION_FRAUD_MIN_SENDS": (int, 30),
    "VERIFICATION_FRAUD_MIN_CONVERSION": (float, 0.2),
    "VERIFICATION_FRAUD_WINDOW_SECONDS": (int, 3600),
    "VERIFICATION_FRAUD_BLOCK_SECONDS": (int, 86400),
    # A send younger than this, not yet approved, is not judged: its person may still be typing
    # the code (a burst of real signups is not a pumped range). 0: every send is judged at once.
    "VERIFICATION_FRAUD_GRACE_SECONDS": (int, 60),
    "VERIFICATION_CARRIER": (str, "sandbox"),
    "VERIFICATION_PLIVO_API": (str, "rest"),
    "VERIFICATION_SANDBOX_IN_PRODUCTION": (bool, False),
    # Not in the contract's table, but tunable the same way.
    "VERIFICATION_SITE_NAME": (str, "OTP Site"),
    # The SMS text; empty = the translated default. Placeholders: {site}, {code}, {minutes}.
    "VERIFICATION_SMS_TEMPLATE": (str, ""),
    # Keypad mode: how long the call waits for typed digits, and how often it asks.
    "VERIFICATION_VOICE_KEYPAD_TIMEOUT_SECONDS": (int, 15),
    "VERIFICATION_VOICE_KEYPAD_RETRIES": (int, 3),
    "VERIFICATION_DELIVERY_MAX_RETRIES": (int, 5),
    "VERIFICATION_DELIVERY_RETRY_BACKOFF_SECONDS": (float, 2.0),
    "VERIFICATION_DELIVERY_RETRY_BACKOFF_MAX_SECONDS": (float, 300.0),
    "VERIFICATION_CARRIER_TIMEOUT_SECONDS": (float, 5.0),
    # No call may run for Plivo's default of four hours: hung up after this.
    "VERIFICATION_CALL_TIME_LIMIT_SECONDS": (int, 120),
    # The sweeper (Celery beat): how often it runs, and when a delivery counts as lost.
    "VERIFICATION_SWEEP_INTERVAL_SECONDS": (float, 10.0),
    # `queued` this long past its due time: its task was lost (a killed worker, the broker
    # down after the commit); handed to a worker again.
    "VERIFICATION_SWEEP_QUEUED_AFTER_SECONDS": (float, 30.0),
    # `sending` this long: the worker died while asking the carrier; the outcome is unknown.
    "VERIFICATION_SWEEP_SENDING_AFTER_SECONDS": (float, 60.0),
    # A delivery with no final word this long after the last one (a call: after its ring
    # time and time limit too) is looked up at the carrier and finished from its records.
    "VERIFICATION_RECONCILE_AFTER_SECONDS": (float, 60.0),
    # Status webhooks (contract section 11): retries double from this, up to so many attempts.
    "VERIFICATION_WEBHOOK_RETRY_BACKOFF_SECONDS": (float, 10.0),
    "VERIFICATION_WEBHOOK_MAX_ATTEMPTS": (int, 12),
    "VERIFICATION_WEBHOOK_TIMEOUT_SECONDS": (float, 10.0),
    "VERIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS": (bool, False),
    # Ended verifications, their deliveries and audit rows are deleted after this many days.
    "VERIFICATION_RETENTION_DAYS": (int, 90),
    # Plivo places at most 2 outbound calls per second per account by default.
    "VERIFICATION_CARRIER_CALLS_PER_SECOND": (int, 2),
    # Where the sandbox's Plivo-compatible REST API lives; default
    # PUBLIC_BASE_URL + /sandbox/plivo.
    "VERIFICATION_SANDBOX_API_URL": (str, ""),
    "PLIVO_AUTH_ID": (str, ""),
    "PLIVO_AUTH_TOKEN": (str, ""),
    "PLIVO_FROM_NUMBER": (str, ""),
    "PLIVO_PHLO_ID": (str, ""),
    "PUBLIC_BASE_URL": (str, "http://127.0.0.1:8000"),
}

# The sandbox's own credentials, used when the carrier is the sandbox and no
# Plivo credentials are given. The SDK wants an auth id of 20 characters
# starting with MA or SA. The auth id is public (like Plivo's); the token is
# not: it is derived from SECRET_KEY, so it differs on every installation and
# every process of one installation agrees on it without storing anything
# (`python manage.py sandbox_credentials` prints both).
SANDBOX_AUTH_ID = "MA" + "A" * 18
SANDBOX_TOKEN_SALT = "verification.contrib.sandbox.auth-token"
SANDBOX_FROM_NUMBER = "+14155550100"


def sandbox_auth_token(secret_key=None):
    """The sandbox's auth token for `secret_key` (default: this installation's SECRET_KEY)."""
    from django.utils.crypto import salted_hmac

    secret = secret_key if secret_key is not None else settings.SECRET_KEY
    return salted_hmac(SANDBOX_TOKEN_SALT, SANDBOX_AUTH_ID, secret=secret, algorithm="sha256").hexdigest()


def country_send_limits(entries):
    """`["GB=100", "IN=500"]` -> `{"GB": 100, "IN": 500}`; ImproperlyConfigured for anything else."""
    limits = {}
    for entry in entries:
        country, _, limit = entry.strip().partition("=")
        if not (len(country.strip()) == 2 and country.strip().isalpha() and limit.strip().isdigit()):
            raise ImproperlyConfigured(f"VERIFICATION_COUNTRY_SEND_LIMITS: {entry!r} is not COUNTRY=LIMIT, e.g. GB=100.")
        limits[country.strip().upper()] = int(limit)
    return limits


def read_environment(env):
    """Return the verification settings read from `env` (django-environ)."""
    values = {}
    for name, (kind, default) in DEFAULTS.items():
        reader = {int: env.int, bool: env.bool, float: env.float, list: env.list}.get(kind, env.str)
        values[name] = reader(name, default=default)
    return values


def problems(values):
    """What is wrong with `values` (a name -> value dict of the settings above), as
    (setting name, message) pairs: empty when the settings can work."""
    found = []

    def wrong(name, message):
        found.append((name, message))

    for name, (kind, _) in DEFAULTS.items():
        value = values[name]
        expected = {float: (int, float), list: (list, tuple)}.get(kind, kind)
        if not isinstance(value, expected) or (kind is not bool and isinstance(value, bool)):
            wrong(name, f"{name} must be {kind.__name__}, not {type(value).__name__} ({value!r}).")
    if found:
        return found  # the rules below assume the types
    length = values["VERIFICATION_CODE_LENGTH"]
    if not 4 <= length <= 10:
        wrong("VERIFICATION_CODE_LENGTH", "VERIFICATION_CODE_LENGTH must be between 4 and 10.")
    for name, allowed in (
        ("VERIFICATION_CARRIER", CARRIERS),
        ("VERIFICATION_PLIVO_API", PLIVO_APIS),
        ("VERIFICATION_VOICE_MODE", VOICE_MODES),
        ("VERIFICATION_VOICE_ENGINE", ("standard", "polly")),
    ):
        if values[name] not in allowed:
            wrong(name, f"{name} must be one of {', '.join(allowed)}.")
    for name in (
        "VERIFICATION_TTL_SECONDS",
        "VERIFICATION_MAX_CHECKS",
        "VERIFICATION_VOICE_REPEAT",
        "VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR",
    ):
        if values[name] < 1:
            wrong(name, f"{name} must be at least 1.")
    template = values["VERIFICATION_SMS_TEMPLATE"]
    try:
        template.format(site="Site", code="123456", minutes=10)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        wrong("VERIFICATION_SMS_TEMPLATE", f"VERIFICATION_SMS_TEMPLATE: {exc!r}; use only {{site}}, {{code}} and {{minutes}}.")
    else:
        if template and "{code}" not in template:
            wrong("VERIFICATION_SMS_TEMPLATE", "VERIFICATION_SMS_TEMPLATE must contain {code}.")
    for name in values["VERIFICATION_BLOCKED_NUMBER_TYPES"]:
        if name.strip() and not hasattr(phonenumbers.PhoneNumberType, name.strip().upper()):
            wrong(
                "VERIFICATION_BLOCKED_NUMBER_TYPES",
                f"VERIFICATION_BLOCKED_NUMBER_TYPES: {name!r} is not a phonenumbers type (e.g. premium_rate, voip).",
            )
    try:
        country_send_limits(values["VERIFICATION_COUNTRY_SEND_LIMITS"])
    except ImproperlyConfigured as exc:
        wrong("VERIFICATION_COUNTRY_SEND_LIMITS", str(exc))
    if values["VERIFICATION_PLIVO_API"] == "phlo" and not values["PLIVO_PHLO_ID"]:
        wrong("PLIVO_PHLO_ID", "VERIFICATION_PLIVO_API=phlo needs PLIVO_PHLO_ID.")
    if values["VERIFICATION_PLIVO_API"] == "phlo" and values["VERIFICATION_VOICE_MODE"] == "keypad":
        # A PHLO speaks the `otp` it is run with: nothing it hears typed comes back to us, so a
        # keypad call could never approve (its code is never spoken, nor checkable on a page).
        wrong(
            "VERIFICATION_VOICE_MODE",
            "VERIFICATION_VOICE_MODE=keypad needs VERIFICATION_PLIVO_API=rest: a PHLO reads the code out "
            "and cannot send back the digits typed.",
        )
    auth_id = values["PLIVO_AUTH_ID"]
    if auth_id and not (len(auth_id) == 20 and auth_id[:2] in ("MA", "SA")):
        wrong("PLIVO_AUTH_ID", "PLIVO_AUTH_ID is 20 characters starting with MA or SA (see Plivo's console).")
    if values["VERIFICATION_CARRIER"] == "plivo" and not (
        values["PLIVO_AUTH_ID"] and values["PLIVO_AUTH_TOKEN"] and values["PLIVO_FROM_NUMBER"]
    ):
        wrong(
            "VERIFICATION_CARRIER",
            "VERIFICATION_CARRIER=plivo needs PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN and PLIVO_FROM_NUMBER.",
        )
    return found


def validate(values):
    """Refuse settings that cannot work, at startup rather than at the first send
    (this repository's own settings call it; another site gets the same rules as
    system checks, `verification/checks.py`)."""
    found = problems(values)
    if found:
        raise ImproperlyConfigured(found[0][1])
    return values


def current_values():
    """The settings above as this site has them: its own, or the defaults."""
    return {name: getattr(settings, name, default) for name, (_, default) in DEFAULTS.items()}


class AppSettings:
    """Lazy, read-only view of the settings above, without their prefix."""

    def __getattr__(self, name):
        for full in (f"VERIFICATION_{name}", name):
            if full in DEFAULTS:
                return getattr(settings, full, DEFAULTS[full][1])
        raise AttributeError(name)

    @property
    def allowed_countries(self):
        return {c.strip().upper() for c in self.ALLOWED_COUNTRIES if c.strip()}

    @property
    def blocked_number_types(self):
        return {getattr(phonenumbers.PhoneNumberType, name.strip().upper()) for name in self.BLOCKED_NUMBER_TYPES if name.strip()}

    def sends_per_hour_to(self, country):
        """The hourly cap of sends to `country`: its override, or the general one."""
        return country_send_limits(self.COUNTRY_SEND_LIMITS).get(country, self.MAX_SENDS_PER_COUNTRY_PER_HOUR)

    @property
    def public_base_url(self):
        return self.PUBLIC_BASE_URL.rstrip("/")

    @property
    def auth_id(self):
        return self.PLIVO_AUTH_ID or (SANDBOX_AUTH_ID if self.CARRIER == "sandbox" else "")

    @property
    def auth_token(self):
        return self.PLIVO_AUTH_TOKEN or (sandbox_auth_token() if self.CARRIER == "sandbox" else "")

    @property
    def from_number(self):
        return self.PLIVO_FROM_NUMBER or (SANDBOX_FROM_NUMBER if self.CARRIER == "sandbox" else "")

    @property
    def sandbox_api_url(self):
        return (self.SANDBOX_API_URL or f"{self.public_base_url}/sandbox/plivo").rstrip("/")


app_settings = AppSettings()
