"""Create, check, resend, cancel and expire verifications."""

import ipaddress
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction

from .. import clock, fraud, health, ratelimit
from ..codes import code_matches, encrypt_code, generate_code, hash_code
from ..conf import app_settings
from ..exceptions import (
    ChannelNotAvailable,
    KeypadOnly,
    NotFound,
    VerificationNotPending,
)
from ..locales import normalize_locale
from ..models import SITE_TENANT, ActorType, Channel, Status, VerificationAttempt, tenant_of
from ..phones import parse_phone_number
from . import statements
from .audit import SYSTEM, audit, save_and_audit
from .deliveries import delivery_start, workflow_steps
from .transitions import verification_end


def webhook_url_check(url, *, api_key):
    """A status_callback needs the key's signing secret, and a public host (400 otherwise)."""
    from ..models import WebhookEndpoint
    from ..webhooks.addresses import WebhookUrlNotAllowed, public_addresses

    if api_key is None or not WebhookEndpoint.objects.filter(api_key=api_key).exists():
        raise WebhookUrlNotAllowed(
            "status_callback needs a webhook secret: create the key with --webhook-url, or set one in the admin."
        )
    public_addresses(url, allow_private=app_settings.WEBHOOK_ALLOW_PRIVATE_HOSTS)

CREATE_ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """What a check, resend or cancel did to `verification`, as it stands now.

    An expected refusal (the verification had already ended) is a result, not an
    exception raised after the transaction: `refused` names why (the API's 409 codes),
    as django-otp's `verify_token` answers rather than raises. Callers that speak HTTP
    turn it into their 409 with `raise_if_refused()`.
    """

    verification: VerificationAttempt
    refused: str | None = None

    @property
    def status(self):
        return self.verification.status

    def raise_if_refused(self):
        if self.refused:
            raise VerificationNotPending(self.verification.status)
        return self


def _refusal(verification):
    return VerificationNotPending(verification.status).code


@dataclass(frozen=True)
class CheckResult(Outcome):
    valid: bool = False

    @property
    def checks_remaining(self):
        return self.verification.checks_remaining


def send_rules(phone_number, *, tenant=SITE_TENANT, country=None):
    """The limits on a send to one number: the tenant's own cooldown, and an hourly cap
    for all tenants together (it protects the phone's owner) whose refusal names nobody;
    with `country`, also the fraud guard's caps per country and for all sends."""
    return [*_number_rules(phone_number, tenant), *(cap_rules(country) if country else [])]


def cap_rules(country):
    """What every send costs: at most so many an hour to one country, and in all."""
    return [
        ratelimit.Rule(
            "country-hourly",
            country,
            limit=app_settings.sends_per_hour_to(country),
            window=3600,
            detail=f"Too many codes were sent to {country} numbers in the last hour.",
            code="too_many_sends_to_country",
        ),
        ratelimit.Rule(
            "all-hourly",
            "all",
            limit=app_settings.MAX_SENDS_PER_HOUR,
            window=3600,
            detail="The hourly budget of codes is spent.",
            code="send_budget_exhausted",
        ),
    ]


def _number_rules(phone_number, tenant):
    return [
        ratelimit.Rule(
            "number-cooldown",
            f"{tenant}|{phone_number}",
            limit=1,
            window=app_settings.RESEND_COOLDOWN_SECONDS,
            detail="A code was just sent to this number.",
            code="resend_cooldown",
        ),
        ratelimit.Rule(
            "number-hourly",
            phone_number,
            limit=app_settings.MAX_SENDS_PER_NUMBER_PER_HOUR,
            window=3600,
            detail="This number cannot receive more codes just now.",
            code="too_many_sends",
        ),
    ]


def ip_subject(client_ip):
    """An IPv4 address, or an IPv6 address's /64: one user holds a whole /64."""
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return str(client_ip)
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def create_rules(*, client_ip=None, api_key_id=None):
    rules = []
    if client_ip:
        rules.append(
            ratelimit.Rule(
                "ip-hourly",
                ip_subject(client_ip),
                limit=app_settings.MAX_VERIFICATIONS_PER_IP_PER_HOUR,
                window=3600,
                detail="Too many verifications from this address in the last hour.",
                code="too_many_verifications_from_ip",
            )
        )
    if api_key_id:
        rules.append(
            ratelimit.Rule(
                "key-hourly",
                str(api_key_id),
                limit=app_settings.MAX_VERIFICATIONS_PER_KEY_PER_HOUR,
                window=3600,
                detail="This API key made too many verifications in the last hour.",
                code="too_many_verifications_for_key",
            )
        )
    return rules


def known_rule(name, subject):
    """Rebuild one of our rules from its name and subject (the admin's rate-limit page)."""
    from .deliveries import pace_rule

    tenant, _, number = subject.rpartition("|")
    rules = (
        send_rules(number, tenant=tenant or SITE_TENANT)
        + create_rules(client_ip=subject, api_key_id=subject)
        + cap_rules(subject)
        + [pace_rule()]
    )
    return next((rule for rule in rules if rule.name == name and rule.subject == subject), None)


def verification_create(
    *,
    phone_number,
    channel=Channel.AUTO,
    locale="en-US",
    country=None,
    actor=SYSTEM,
    client_ip=None,
    api_key=None,
    status_callback="",
    code=None,
):
    """Start a verification: a new code, delivered by `channel`; supersedes the number's pending one.

    `code`: deliver this code instead of a new one (services/relay.py); it is read out, never keypad."""
    if channel not in Channel.values:
        raise ChannelNotAvailable(f"Unknown channel {channel!r}.")
    if status_callback:
        webhook_url_check(status_callback, api_key=api_key)
    parsed = parse_phone_number(phone_number, country=country)
    if channel == Channel.SMS and parsed.is_fixed_line:
        raise ChannelNotAvailable("This number is a fixed line and cannot receive SMS; use channel 'call'.")
    health.require_broker()  # a 503 now, rather than a verification whose code waits for a queue
    now = clock.now()
    sends = send_rules(parsed.e164, tenant=tenant_of(api_key), country=parsed.country)
    hit = ratelimit.hit(create_rules(client_ip=client_ip, api_key_id=getattr(api_key, "pk", None)) + sends, now=now.timestamp())
    # Refused from here on (the fraud guard, the database), nothing was sent: the number's
    # cooldown and caps are given back. The address's and key's count attempts, and keep it.
    with ratelimit.refunded_on_error(sends, hit):
        fraud.guard(parsed, now=now)  # refuses a blocked range or country; records the send
        relayed = code is not None
        code = code if relayed else generate_code(app_settings.CODE_LENGTH)
        for attempt in range(CREATE_ATTEMPTS):
            try:
                with transaction.atomic():
                    return _create(parsed, channel, locale, code, actor, client_ip, api_key, now, status_callback, relayed)
            except IntegrityError:
                # A concurrent create for the same number won the race; supersede it too.
                if attempt == CREATE_ATTEMPTS - 1:
                    raise
    raise AssertionError("unreachable")


def _lock_number(tenant, phone_number):
    """Serialise one tenant's creates for one number (PostgreSQL; SQLite serialises every write)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{tenant}|{phone_number}"])


def _create(parsed, channel, locale, code, actor, client_ip, api_key, now, status_callback="", relayed=False):
    tenant = tenant_of(api_key)
    _lock_number(tenant, parsed.e164)
    # Only the tenant's own: an API key never supersedes another key's verification, nor the site's.
    for old in statements.pending_locked(tenant=tenant, phone_number=parsed.e164):
        verification_end(old, Status.CANCELED, event="superseded", actor=actor, now=now)
    verification = VerificationAttempt(
        phone_number=parsed.e164,
        country=parsed.country,
        channel=channel,
        locale=normalize_locale(locale),
        # Keypad mode is about the call: an SMS would carry the very code the page shows.
        voice_mode=app_settings.VOICE_MODE if channel == Channel.CALL and not relayed else "read",
        max_checks=app_settings.MAX_CHECKS,
        client_ip=client_ip or actor.ip,
        created_at=now,
        expires_at=now + timedelta(seconds=app_settings.TTL_SECONDS),
        last_sent_at=now,
        tenant=tenant,
        status_callback=status_callback,
    )
    if api_key is not None:
        verification.api_key = api_key
    verification.code_hash = hash_code(code, verification_id=verification.id)
    verification.code_encrypted = encrypt_code(code)
    statements.insert(verification)
    relay = {"relayed": True} if relayed else {}  # the code came from the caller (services/relay.py)
    audit(verification, "created", actor=actor, now=now, to_status=Status.PENDING, channel=channel, **relay)
    delivery = delivery_start(verification, workflow_steps(verification)[0], actor=actor, now=now)
    # Its only delivery, for an answer built from what was written (the API's 201), without a
    # query; not a prefetch cache, which later deliveries would leave stale on this instance.
    verification.deliveries_written = [delivery]
    return verification


def _lock(verification_id, scope):
    try:
        return scope.select_for_update().get(pk=verification_id)
    except (VerificationAttempt.DoesNotExist, ValueError, DjangoValidationError):
        raise NotFound() from None


def _verification_pk(verification_id):
    try:
        return uuid.UUID(str(verification_id))
    except ValueError:
        raise NotFound() from None


def _lock_own(verification_id, api_key):
    """`_lock` of every verification (`api_key` None) or of the key's own, in one statement
    written once (services/statements.py)."""
    by_key = api_key is not None
    verification = statements.verification_locked(
        _verification_pk(verification_id), api_key_id=api_key.pk if by_key else None, by_key=by_key
    )
    if verification is None:
        raise NotFound()
    return verification


def _expire_if_due(verification, *, now, actor=SYSTEM):
    """Expire a pending verification whose time ran out (caller holds the row lock)."""
    if verification.is_pending and verification.is_expired(now):
        verification_end(verification, Status.EXPIRED, event="expired", actor=actor, now=now)
        return True
    return False


def verification_get(*, verification_id, scope=None):
    """The verification, with its expiry applied if its time ran out."""
    scope = scope if scope is not None else VerificationAttempt.objects.all()
    try:
        verification = scope.get(pk=verification_id)
    except (VerificationAttempt.DoesNotExist, ValueError, DjangoValidationError):
        raise NotFound() from None
    if verification.is_pending and verification.is_expired(clock.now()):
        with transaction.atomic():
            verification = _lock(verification_id, scope)
            _expire_if_due(verification, now=clock.now())
    return verification


def verification_read(*, verification_id, api_key):
    """The key's verification with its deliveries (one statement), its expiry applied if
    its time ran out: what `verification_get` with the key's scope gives, for the API."""
    verification = statements.verification_with_deliveries(_verification_pk(verification_id), api_key_id=api_key.pk)
    if verification is None:
        raise NotFound()
    if verification.is_pending and verification.is_expired(clock.now()):
        with transaction.atomic():
            locked = _lock_own(verification_id, api_key)
            _expire_if_due(locked, now=clock.now())
        verification = statements.verification_with_deliveries(verification.pk, api_key_id=api_key.pk)
    return verification


def verification_check(*, verification_id, code, actor=SYSTEM, scope=None, api_key=None):
    """Compare `code` with the verification's; counts wrong codes; approves once.

    `scope`: a queryset of the verifications it may be (all of them if None); or
    `api_key`: only that key's. Returns a CheckResult; one for a verification that had
    already ended is `refused`."""
    now = clock.now()
    with transaction.atomic():
        verification = _lock(verification_id, scope) if scope is not None else _lock_own(verification_id, api_key)
        _expire_if_due(verification, now=now, actor=actor)
        if verification.is_pending and verification.voice_mode == "keypad" and actor.type != ActorType.PHONE:
            raise KeypadOnly()
        refused, valid = None, False
        if not verification.is_pending:
            audit(verification, "check", actor=actor, now=now, outcome="refused", status=verification.status)
            refused = _refusal(verification)
        else:
            valid = isinstance(code, str) and code_matches(
                code, verification_id=verification.id, code_hash=verification.code_hash
            )
            if not valid:
                verification.failed_checks += 1
            if valid or verification.failed_checks >= verification.max_checks:
                status = Status.APPROVED if valid else Status.MAX_ATTEMPTS_REACHED
                verification_end(
                    verification, status, event="check", actor=actor, now=now, also=["failed_checks"],
                    outcome="valid" if valid else "invalid",
                )  # fmt: skip
            else:
                save_and_audit(
                    verification, ["failed_checks"], verification, "check", actor=actor, now=now,
                    from_status=Status.PENDING, to_status=Status.PENDING, outcome="invalid",
                )  # fmt: skip
    if valid:
        fraud.approved(verification, now=now)
    return CheckResult(verification, refused, valid=valid)


def verification_pending_for_number(*, phone_number, country=None, scope=None):
    """The number's pending verification, for checks by phone number."""
    scope = scope if scope is not None else VerificationAttempt.objects.all()
    parsed = parse_phone_number(phone_number, country=country)
    verification = scope.filter(phone_number=parsed.e164, status=Status.PENDING).first()
    if verification is None:
        raise NotFound("No pending verification for this phone number.")
    return verification


def verification_resend(*, verification_id, channel=None, actor=SYSTEM, scope=None):
    """Deliver the same code again, after the cooldown and within the hourly cap.

    Returns an Outcome, `refused` if the verification had already ended (nothing is sent)."""
    scope = scope if scope is not None else VerificationAttempt.objects.all()
    if channel is not None and channel not in (Channel.CALL, Channel.SMS):
        raise ChannelNotAvailable("A resend goes by 'call' or 'sms'.")
    verification = verification_get(verification_id=verification_id, scope=scope)
    if not verification.is_pending:
        return Outcome(verification, _refusal(verification))
    if channel == Channel.SMS and verification.voice_mode == "keypad":
        raise ChannelNotAvailable("In keypad mode the code goes by call only.")
    parsed = parse_phone_number(str(verification.phone_number))  # the country rules may have narrowed since
    if channel == Channel.SMS:
        if parsed.is_fixed_line:
            raise ChannelNotAvailable("This number is a fixed line and cannot receive SMS; use channel 'call'.")
    health.require_broker()
    now = clock.now()
    sends = send_rules(str(verification.phone_number), tenant=verification.tenant, country=parsed.country)
    hit = ratelimit.hit(sends, now=now.timestamp())
    with ratelimit.refunded_on_error(sends, hit):  # refused by the guard or the database: nothing sent
        fraud.guard(parsed, now=now, record=False)  # a blocked range or country gets no resend either
        with transaction.atomic():
            verification = _lock(verification_id, scope)
            if _expire_if_due(verification, now=now, actor=actor) or not verification.is_pending:
                refused = _refusal(verification)
            else:
                refused = None
                delivery_channel = channel or workflow_steps(verification)[0]
                verification.last_sent_at = now
                verification.save(update_fields=["last_sent_at"])
                audit(verification, "resend", actor=actor, now=now, channel=delivery_channel)
                delivery_start(verification, delivery_channel, actor=actor, now=now)
    if refused is not None:
        ratelimit.refund(sends, hit)  # it had ended meanwhile: nothing was sent
    return Outcome(verification, refused)


def verification_cancel(*, verification_id, actor=SYSTEM, scope=None):
    """End a pending verification as canceled; an Outcome, `refused` if it had already ended."""
    scope = scope if scope is not None else VerificationAttempt.objects.all()
    now = clock.now()
    with transaction.atomic():
        verification = _lock(verification_id, scope)
        _expire_if_due(verification, now=now, actor=actor)
        transition = verification_end(verification, Status.CANCELED, event="canceled", actor=actor, now=now)
    return Outcome(verification, transition.refused)


def verification_expire_due(*, now=None):
    """Expire every pending verification whose time ran out; returns how many."""
    now = now or clock.now()
    due = VerificationAttempt.objects.filter(status=Status.PENDING, expires_at__lte=now).values_list("pk", flat=True)
    expired = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            verification = VerificationAttempt.objects.select_for_update().get(pk=pk)
            expired += _expire_if_due(verification, now=now)
    return expired
