"""The admin's rate-limit page: every window with hits, named and timed for a person, and its unblock.

The rules are rebuilt from a window's name and subject, the verification rules' (send,
create, caps, pace) and the sign-in pages' (sign-in, signup, number changes), so each row
shows its real limit and whether it blocks (the sign-in pages' only where
verification.contrib.accounts is installed). An unblock is written to the admin's log and,
with the accounts app, to the accounts' audit trail, in the same transaction as the reset.
"""

import dataclasses

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework_api_key.models import APIKey

from . import clock, ratelimit
from .codes import decrypt_code, encrypt_code
from .messages import period_words, wait_words
from .models import SITE_TENANT
from .phones import mask_phone_number_for_staff
from .selectors import fraud_blocks_now
from .services.verifications import known_rule

SHADOW_PREFIX = "withheld-"  # the signup page's stand-ins for a number's send limits (accounts/withheld.py)
KEY_TENANT_PREFIX = "key:"


def _accounts_installed():
    return apps.is_installed("verification.contrib.accounts")


def _account_rule(name, subject):
    """One of the sign-in pages' rules, rebuilt from its window (when the accounts app is installed)."""
    if not _accounts_installed():
        return None
    from .contrib.accounts import throttle

    if name == "login-ip":
        return throttle.login_rules(ip=subject, username="")[0]
    if name == "login-user-ip":
        ip, _sep, username = subject.partition("|")
        return throttle.login_rules(ip=ip, username=username)[1]
    if name == "login-user":
        return throttle.login_rules(ip="", username=subject)[2]
    if name == "signup-ip":
        return throttle.signup_rule(ip=subject)
    if name == "phone-change-user":
        return throttle.phone_change_rules(user_id=subject, ip="")[0]
    if name == "phone-change-ip":
        return throttle.phone_change_rules(user_id="", ip=subject)[1]
    return None


def rule_for(name, subject):
    """The rule behind a window, or None for a window no rule of ours makes."""
    if name.startswith(SHADOW_PREFIX):
        real = rule_for(name[len(SHADOW_PREFIX) :], subject)
        return dataclasses.replace(real, name=name) if real else None
    rule = known_rule(name, subject) or _account_rule(name, subject)
    return rule if rule is not None and rule.subject == subject else None


def _key_names(windows):
    """The names of the API keys the windows are about, in one query: never their hashes."""
    ids = set()
    for name, subject, *_rest in windows:
        if name == "key-hourly":
            ids.add(subject)
        tenant = subject.rpartition("|")[0]
        if tenant.startswith(KEY_TENANT_PREFIX):
            ids.add(tenant[len(KEY_TENANT_PREFIX) :])
    return dict(APIKey.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _key_label(key_id, names):
    name = names.get(key_id)
    return _("API key “%(name)s”") % {"name": name} if name else _("a deleted API key")


def who(name, subject, key_names):
    """A window's subject as an admin reads it: API keys by name, numbers masked."""
    if name == "key-hourly":
        return _key_label(subject, key_names)
    if name == "login-user-ip":
        ip, _sep, username = subject.partition("|")
        return _("%(username)s from %(address)s") % {"username": username, "address": ip}
    tenant, separator, rest = subject.rpartition("|")
    shown = mask_phone_number_for_staff(rest) if rest.startswith("+") else rest
    if not separator:
        return shown
    if tenant.startswith(KEY_TENANT_PREFIX):
        tenant = _key_label(tenant[len(KEY_TENANT_PREFIX) :], key_names)
    elif tenant == SITE_TENANT:
        tenant = _("the site")
    return f"{shown} ({tenant})"


# Why a rule blocks, as the admin reads it in the page's language (a rule's own detail is the API's, in
# English, and says the same): by the rule's code.
WHY = {
    "resend_cooldown": gettext_lazy("A code was just sent to this number."),
    "too_many_sends": gettext_lazy("This number cannot receive more codes just now."),
    "too_many_sends_to_country": gettext_lazy("Too many codes were sent to %(country)s numbers in the last hour."),
    "send_budget_exhausted": gettext_lazy("The hourly budget of codes is spent."),
    "too_many_verifications_from_ip": gettext_lazy("Too many verifications from this address in the last hour."),
    "too_many_verifications_for_key": gettext_lazy("This API key made too many verifications in the last hour."),
    "too_many_logins_from_ip": gettext_lazy("Too many sign-in attempts from this address."),
    "too_many_logins_for_username": gettext_lazy("Too many sign-in attempts for this username."),
    "too_many_logins_for_username_from_ip": gettext_lazy("Too many sign-in attempts for this username from this address."),
    "too_many_signups_from_ip": gettext_lazy("Too many signup attempts from this address."),
    "too_many_phone_changes_for_user": gettext_lazy("Too many number changes for this account."),
    "too_many_phone_changes_from_ip": gettext_lazy("Too many number changes from this address."),
}


def why(rule):
    """A rule's reason in the page's language; a rule of no known code keeps its own detail."""
    text = WHY.get(rule.code)
    return str(text) % {"country": rule.subject} if text is not None else rule.detail


def allowed_words(rule):
    return ngettext("%(limit)d per %(period)s", "%(limit)d per %(period)s", rule.limit) % {
        "limit": rule.limit,
        "period": period_words(rule.window),
    }


def window_token(subject):
    """The subject as the unblock form carries it: encrypted, so the page's source holds no
    whole number or address (what it shows is masked)."""
    return encrypt_code(subject).decode()


def window_subject(token):
    """The subject an unblock form carried, or None if the token is not one of ours."""
    try:
        return decrypt_code(token.encode("ascii"))
    except (UnicodeEncodeError, ValueError, TypeError):
        return None


def rate_limit_rows():
    """Every window with hits now, the blocking ones first (longest wait first)."""
    windows = ratelimit.active_windows()
    key_names = _key_names(windows)
    now = clock.now().timestamp()
    rows = []
    for name, subject, hits, _ttl in windows:
        rule = rule_for(name, subject)
        blocked_for = ratelimit.seconds_until_free(rule, now=now) if rule else None
        rows.append(
            {
                "name": name,
                "subject": subject,
                "token": window_token(subject),
                "who": who(name, subject, key_names),
                "hits": hits,
                "allowed": allowed_words(rule) if rule else None,
                "why": why(rule) if rule else "",
                "blocked_for": blocked_for,
                "blocked_words": wait_words(blocked_for) if blocked_for else "",
                "known": rule is not None,
            }
        )
    rows.sort(key=lambda row: (-(row["blocked_for"] or 0), row["name"], row["subject"]))
    return rows


def rate_limit_unblock(*, name, subject, actor, user_id):
    """Forget a window's hits; the accounts' audit trail and the admin's log say who did it.

    Returns the window's subject as shown to admins (masked), for the message.
    """
    rule = rule_for(name, subject) or ratelimit.Rule(name, subject, limit=1, window=1)
    shown = who(name, subject, _key_names([(name, subject)]))
    number = subject.rpartition("|")[2]
    message = _("Unblocked %(limit)s for %(who)s.") % {"limit": name, "who": shown}
    with transaction.atomic():
        if _accounts_installed():
            from .contrib.accounts.audit import account_event

            event = account_event(
                event="rate_limit_unblock",
                outcome="unblocked",
                actor=actor,
                phone_number=number if number.startswith("+") else "",
                limit=name,
                subject=shown,
            )
            LogEntry.objects.log_actions(
                user_id=user_id, queryset=[event], action_flag=CHANGE, change_message=message, single_object=True
            )
        else:  # the admin's log alone, about no object
            LogEntry.objects.create(user_id=user_id, action_flag=CHANGE, object_repr=shown[:200], change_message=message)
        ratelimit.reset(rule)  # last: if Redis refuses, nothing above is kept
    return shown


def fraud_blocks_shown():
    """The fraud guard's blocks that hold now, each with its window in words ("hour")."""
    blocks = fraud_blocks_now()
    for block in blocks:
        block.window_words = period_words(block.window_seconds)
    return blocks
