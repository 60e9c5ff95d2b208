"""The account rules behind the pages: sign up, sign in, the code step, the profile.

A code is always the verification services' (create, check, resend): no second copy of their rules.
"""

import math

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from verification import clock, ratelimit
from verification import services as core
from verification.conf import app_settings
from verification.exceptions import NotFound, ServiceUnavailable, Throttled, VerificationError
from verification.models import Status, VerificationAttempt
from verification.services.verifications import send_rules

from . import throttle, withheld
from .audit import account_event
from .flow import CodeFlow, Purpose
from .models import PhoneProfile


class InvalidCredentials(Exception):
    """A wrong password and an unknown username: one answer for both."""


class UsernameTaken(Exception):
    """Another signup took the username between the form's check and the insert."""


class NoPhone(Exception):
    """The account has no phone number to send its second step to (e.g. made by createsuperuser)."""


class CodeStepRefused(Exception):
    """A code step that can no longer go on; `reason` (a Refusal) says why."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(reason)


class Refusal:
    ACCOUNT_GONE = "account_gone"  # the user (or their phone profile) was deleted meanwhile
    PHONE_CHANGE_REPLACED = "phone_change_replaced"  # another session asked for a newer number change
    NUMBER_TAKEN = "number_taken"  # another account verified the number meanwhile
    CANNOT_SIGN_IN = "cannot_sign_in"  # deactivated, or the number no longer the account's


def number_taken(*, phone_number, user_id=None):
    """Whether another account than `user_id`'s has verified `phone_number`."""
    profiles = PhoneProfile.objects.filter(phone_number=phone_number, phone_verified=True)
    return profiles.exclude(user_id=user_id).exists()


def account_signup(*, username, password, phone_number, channel, locale, actor):
    """Make the account, unable to sign in until its number is verified, and send the first code."""
    # Hashed before the transaction: the hasher's quarter of a second is not spent holding the
    # write lock (SQLite's, in `make run`, is the whole database's: signups went one at a time
    # and a crowd of them ran past its timeout, "database is locked").
    hashed = make_password(password)
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(username=username, password=None, is_active=False)
                user.password = hashed
                user.save(update_fields=["password"])
        except IntegrityError:
            raise UsernameTaken() from None
        PhoneProfile.objects.create(user=user, phone_number=phone_number, preferred_channel=channel)
        # Inside the transaction: a refused send (throttled, bad channel) leaves no account behind. Only
        # the cooldown of a code sent moments ago (a signup started over) waits instead: see code_send.
        return code_send(user=user, purpose=Purpose.SIGNUP, actor=actor, locale=locale, defer=True)


def account_authenticate(*, request, username, password, ip):
    """The user with this username and password, or InvalidCredentials; throttled before anything.

    Every path hashes the password exactly once, so the time taken tells no state of the account."""
    throttle.login_attempt(ip=ip, username=username)
    User = get_user_model()
    try:
        found = User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        User().set_password(password)  # the hasher's time, as for a real user (as ModelBackend does)
        user = None
    else:
        if _is_unfinished_signup(found):
            # Its owner may finish the signup by signing in; authenticate() would refuse it as inactive.
            user = found if found.check_password(password) else None
        else:
            user = authenticate(request, username=username, password=password)
    if user is None:
        raise InvalidCredentials()
    throttle.login_succeeded(ip=ip, username=username)
    if not PhoneProfile.objects.filter(user=user).exists():
        raise NoPhone()
    return user


def _is_unfinished_signup(user):
    """An account whose number was never verified (not one an admin deactivated)."""
    return not user.is_active and PhoneProfile.objects.filter(user=user, phone_verified=False).exists()


def login_start(*, user, actor, locale, next_url="", current=None):
    """The second step: a code to the verified number (or, for an unfinished signup, its number).

    A sign-in again while this user's code is still on its way goes on with that code."""
    purpose = Purpose.LOGIN if user.phone_profile.phone_verified else Purpose.SIGNUP
    same = (user.pk, purpose, str(user.phone_profile.phone_number))
    if current is not None and (current.user_id, current.purpose, current.phone_number) == same:
        try:
            if code_get(current).is_pending:
                current.next_url = next_url or current.next_url
                return current
        except NotFound:
            pass
    return code_send(user=user, purpose=purpose, actor=actor, locale=locale, next_url=next_url, defer=True)


COOLDOWN = "resend_cooldown"  # the refusal code of the number's cooldown, a real one and a withheld step's


def code_send(*, user, purpose, actor, locale, phone_number=None, channel=None, next_url="", defer=False):
    """A new verification for the flow's number.

    A number another account verified gets none, and no answer that says so: a withheld code step
    (withheld.py) that looks the same, sends nothing and can never succeed.

    With `defer`, a send held back only by the number's cooldown (a code went to it moments ago: the
    signup just finished, or was started over) is not refused: the flow comes back without a
    verification (`deferred`), and the code page sends it once the cooldown is over. The cooldown
    still holds: nothing is sent sooner."""
    try:
        return _code_send(user, purpose, actor, locale, phone_number, channel, next_url)
    except Throttled as exc:
        if not (defer and exc.code == COOLDOWN):
            raise
    profile = user.phone_profile
    return CodeFlow(
        purpose,
        user.pk,
        "",
        phone_number or str(profile.phone_number),
        channel or profile.preferred_channel,
        next_url,
        user.get_username(),
    )


def send_wait_seconds(phone_number):
    """Seconds until a deferred flow's code may go (the number's limits, and a withheld step's stand-ins)."""
    now = clock.now().timestamp()
    rules = send_rules(phone_number) + withheld.shadow_rules(phone_number)
    try:
        return max(ratelimit.seconds_until_free(rule, now=now) for rule in rules)
    except ServiceUnavailable:
        return 0  # Redis is down: the send itself will say so


def _code_send(user, purpose, actor, locale, phone_number, channel, next_url):
    profile = user.phone_profile
    channel = channel or profile.preferred_channel
    phone_number = phone_number or str(profile.phone_number)
    if _taken_for(purpose, user.pk, phone_number):
        verification_id, state = withheld.start(phone_number=phone_number, channel=channel, actor=actor)
        if purpose != Purpose.PHONE_CHANGE:  # a number change audits every attempt itself
            account_event(event=purpose, outcome="withheld", actor=actor, user=user, phone_number=phone_number)
        return CodeFlow(
            purpose, user.pk, verification_id, phone_number, channel, next_url, user.get_username(), withheld=state
        )
    verification = core.verification_create(
        phone_number=phone_number,
        channel=channel,
        locale=locale,
        actor=actor,
        client_ip=actor.ip,
    )
    number = str(verification.phone_number)
    return CodeFlow(purpose, user.pk, str(verification.id), number, channel, next_url, user.get_username())


def _taken_for(purpose, user_id, phone_number):
    # A signup's or a number change's code would cancel (supersede) the owner's own pending one.
    return purpose != Purpose.LOGIN and number_taken(phone_number=phone_number, user_id=user_id)


def _flow_user(flow):
    """The flow's user with their phone profile, or CodeStepRefused(ACCOUNT_GONE)."""
    user = get_user_model().objects.select_related("phone_profile").filter(pk=flow.user_id).first()
    if user is None or not hasattr(user, "phone_profile"):
        raise CodeStepRefused(Refusal.ACCOUNT_GONE)
    return user


def _scope(flow):
    """The flow's number's verifications only: a session can reach no other."""
    return VerificationAttempt.objects.filter(phone_number=flow.phone_number)


def code_get(flow):
    if not flow.verification_id:  # deferred: no verification yet
        raise NotFound()
    if flow.withheld is not None:
        return withheld.as_verification(flow)
    return core.verification_get(verification_id=flow.verification_id, scope=_scope(flow))


def code_check(*, flow, code, actor):
    """Check the code; returns the CheckResult and, when it matched, the user (CodeStepRefused if it may not go on).

    A withheld step's state is in the flow: save the flow after a check."""
    if flow.withheld is not None:
        return withheld.check(flow, code=code), None
    result = core.verification_check(verification_id=flow.verification_id, code=code, actor=actor, scope=_scope(flow))
    return result, (_complete(flow, result.verification) if result.valid else None)


def code_follow(flow):
    """Keypad mode: the verification as it stands and, once the phone approved it, the user.

    The phone's typed digits are the check; this only completes the flow the approval was for."""
    verification = code_get(flow)
    if verification.voice_mode != "keypad" or verification.status != Status.APPROVED:
        return verification, None
    return verification, _complete(flow, verification)


def code_resend(*, flow, channel, actor):
    """The same code again, by `channel` (the flow's when None); returns the updated flow."""
    _flow_user(flow)
    if flow.withheld is not None:
        withheld.resend(flow, channel=channel)
        flow.channel = channel or flow.channel
        return flow
    if _taken_for(flow.purpose, flow.user_id, flow.phone_number):
        raise CodeStepRefused(Refusal.NUMBER_TAKEN)
    core.verification_resend(
        verification_id=flow.verification_id, channel=channel, actor=actor, scope=_scope(flow)
    ).raise_if_refused()  # the page says how it ended
    flow.channel = channel or flow.channel
    return flow


def code_restart(*, flow, channel, actor, locale):
    """A new verification (new code) for the same number, after the old one ended (a withheld step
    again if another account holds the number); CodeStepRefused when the account is gone."""
    user = _flow_user(flow)
    return code_send(
        user=user,
        purpose=flow.purpose,
        actor=actor,
        locale=locale,
        phone_number=flow.phone_number,
        channel=channel or flow.channel,
        next_url=flow.next_url,
    )


def code_abandon(*, flow, actor):
    """Give up the code step: its verification is canceled, and a number being changed to is dropped.

    A signup given up ("Cancel and start over") takes its unfinished account with it, so that
    starting over can use the same username; an account whose number was ever verified stays."""
    try:
        if flow.withheld is None and flow.verification_id:  # a withheld or deferred step has none to cancel
            core.verification_cancel(verification_id=flow.verification_id, actor=actor, scope=_scope(flow))
    except NotFound:
        pass  # already over: nothing to cancel (an ended one is refused, not raised)
    if flow.purpose == Purpose.PHONE_CHANGE:
        PhoneProfile.objects.filter(user_id=flow.user_id, pending_phone_number=flow.phone_number).update(
            pending_phone_number=""
        )
    elif flow.purpose == Purpose.SIGNUP:
        with transaction.atomic():
            user = get_user_model().objects.select_for_update().filter(pk=flow.user_id).first()
            if user is not None and _is_unfinished_signup(user):
                account_event(
                    event=Purpose.SIGNUP, outcome="canceled", actor=actor, user=user, phone_number=flow.phone_number
                )
                user.delete()


def resend_wait_seconds(verification):
    """Seconds until the server will accept a resend: the cooldown, or the hourly cap."""
    now = clock.now()
    since = (now - (verification.last_sent_at or verification.created_at)).total_seconds()
    cooldown = max(0, math.ceil(app_settings.RESEND_COOLDOWN_SECONDS - since))
    rules = send_rules(str(verification.phone_number))
    if getattr(verification, "withheld", False):
        rules += withheld.shadow_rules(str(verification.phone_number))
    try:
        return max([cooldown, *(ratelimit.seconds_until_free(rule, now=now.timestamp()) for rule in rules)])
    except ServiceUnavailable:
        return cooldown  # Redis is down: the page still renders, with the cooldown it knows of


def _complete(flow, verification):
    """What a matched code does for the flow's purpose; returns the user, or raises CodeStepRefused."""
    number = str(verification.phone_number)
    with transaction.atomic():
        profile = PhoneProfile.objects.select_for_update().select_related("user").filter(user_id=flow.user_id).first()
        if profile is None:  # the account was deleted while the code was on its way
            raise CodeStepRefused(Refusal.ACCOUNT_GONE)
        user = profile.user
        if flow.purpose != Purpose.LOGIN and number_taken(phone_number=number, user_id=user.pk):
            raise CodeStepRefused(Refusal.NUMBER_TAKEN)
        if flow.purpose == Purpose.SIGNUP and number == str(profile.phone_number) and not profile.phone_verified:
            profile.phone_verified = True
            user.is_active = True
            user.save(update_fields=["is_active"])
        elif flow.purpose == Purpose.PHONE_CHANGE:
            if number != str(profile.pending_phone_number):
                raise CodeStepRefused(Refusal.PHONE_CHANGE_REPLACED)
            profile.phone_number, profile.pending_phone_number = number, ""
            profile.phone_verified = True
        elif not (flow.purpose == Purpose.LOGIN and number == str(profile.phone_number)):
            raise CodeStepRefused(Refusal.CANNOT_SIGN_IN)
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:
            # Another account verified the number after the check above (the database's constraint).
            raise CodeStepRefused(Refusal.NUMBER_TAKEN) from None
    # An admin may have deactivated the account while the code was on its way.
    if not (user.is_active and profile.phone_verified):
        raise CodeStepRefused(Refusal.CANNOT_SIGN_IN)
    return user


def profile_phone_attempt(*, user, actor):
    """Count one number-change post (per account and per address) before the form is looked at;
    Throttled, audited, when either is full."""
    try:
        throttle.phone_change_attempt(user_id=user.pk, ip=actor.ip)
    except Throttled as exc:
        account_event(event=Purpose.PHONE_CHANGE, outcome="throttled", actor=actor, user=user, code=exc.code)
        raise


def profile_phone_invalid(*, user, actor, errors):
    """A number-change post whose form was refused (no number to send to): audited too."""
    account_event(event=Purpose.PHONE_CHANGE, outcome="invalid", actor=actor, user=user, fields=sorted(errors))


def profile_phone_change(*, user, phone_number, actor, locale):
    """Hold the new number aside and send it a code; the old number stays until the code matches.

    A number another account verified gets a withheld code step: the same answer, no code sent, no
    success possible. Every attempt is in the accounts' audit trail, with the verification it started."""
    try:
        with transaction.atomic():
            profile = PhoneProfile.objects.select_for_update().get(user=user)
            profile.pending_phone_number = phone_number
            profile.save(update_fields=["pending_phone_number", "updated_at"])
            user.phone_profile = profile
            flow = code_send(
                user=user, purpose=Purpose.PHONE_CHANGE, actor=actor, locale=locale, phone_number=phone_number
            )
    except VerificationError as exc:
        account_event(
            event=Purpose.PHONE_CHANGE,
            outcome="throttled" if isinstance(exc, Throttled) else "refused",
            actor=actor,
            user=user,
            phone_number=phone_number,
            code=exc.code,
        )
        raise
    account_event(
        event=Purpose.PHONE_CHANGE,
        outcome="withheld" if flow.withheld is not None else "code_sent",
        actor=actor,
        user=user,
        phone_number=phone_number,
        verification_id=None if flow.withheld is not None else flow.verification_id,
    )
    return flow


def profile_set_channel(*, user, channel):
    PhoneProfile.objects.filter(user=user).update(preferred_channel=channel, updated_at=timezone.now())
