"""The code step: type the code (or, in keypad mode, see it and follow the call), resend it, start again, give up."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from verification.conf import app_settings
from verification.exceptions import (
    ChannelNotAvailable,
    CountryNotAllowed,
    DeliveryBlocked,
    InvalidPhoneNumber,
    KeypadOnly,
    NotFound,
    Throttled,
    VerificationNotPending,
)
from verification.models import Status
from verification.phones import mask_phone_number

from . import services
from .flow import Purpose, flow_clear, flow_load, flow_save
from .forms import CodeForm
from .models import CodeChannel
from .pages import (
    NUMBER_TAKEN,
    actor,
    page_locale,
    refusal_text,
    throttled_text,
    wait_units,
    wait_words,
)
from .services import Refusal

ENDED_TEXTS = {
    "verification_expired": _("This code has expired."),
    "max_attempts_reached": _("Too many wrong codes: this code is locked."),
    "verification_canceled": _("This code was replaced or canceled."),
    "verification_approved": _("This code was already used."),
}
# A failed delivery says only that: not "we sent", not "the code is on the sandbox phone".
FAILED_TEXTS = {
    "call": _("We could not get the code to your phone: the voice call to %(number)s did not go through."),
    "sms": _("We could not get the code to your phone: the text message to %(number)s was not delivered."),
}
# The buttons, one sentence each (a translation may order its words as it needs).
AGAIN_LABELS = {"sms": _("Send it again by text message"), "call": _("Send it again by voice call")}
INSTEAD_LABELS = {"sms": _("Send it by text message instead"), "call": _("Send it by voice call instead")}
NEW_LABELS = {"sms": _("Send a new code by text message"), "call": _("Send a new code by voice call")}
SEND_LABELS = {"sms": _("Send the code by text message"), "call": _("Send the code by voice call")}
# What the wait is for, with the wait (later) and without (now); verify.js counts down with the same words.
WAITS = {
    "again": (_("You can ask for it again in %(wait)s."), _("You can ask for it again now.")),
    "call": (_("You can ask for another call in %(wait)s."), _("You can ask for another call now.")),
    "new": (_("You can ask for a new code in %(wait)s."), _("You can ask for a new code now.")),
    "send": (_("We can send your code in %(wait)s."), _("We can send your code now.")),
}
# Where "Cancel and start over" (or "Keep my current number") lands, and what it says there.
CANCELED = {
    Purpose.SIGNUP: (
        _("You canceled the signup: its code no longer works and the account was not kept. You can start over here."),
        "accounts:signup",
    ),
    Purpose.LOGIN: (
        _("You canceled the sign-in: its code no longer works. You can sign in again here."),
        "accounts:login",
    ),
    Purpose.PHONE_CHANGE: (_("Your phone number was not changed."), "accounts:profile"),
}

# Why a code step cannot go on: what to say, and where to go then.
REFUSED = {
    Refusal.ACCOUNT_GONE: (_("This account no longer exists."), "accounts:login"),
    Refusal.PHONE_CHANGE_REPLACED: (_("This number change was replaced by a newer one."), "accounts:profile"),
    Refusal.NUMBER_TAKEN: (NUMBER_TAKEN, None),
    Refusal.CANNOT_SIGN_IN: (_("This account cannot sign in."), "accounts:login"),
}
# A send refused for the number or the channel: said, and the page shows the code as it is.
SEND_REFUSALS = (ChannelNotAvailable, InvalidPhoneNumber, CountryNotAllowed, DeliveryBlocked)
KEYPAD_ONLY = _("This code is not typed here: answer the call and type it on your phone's keypad, then press #.")
KEYPAD_WAITING = _("Your phone has not sent the code yet. Type it on the keypad during the call, then press #.")


def _current_flow(request):
    """The flow in progress, if it belongs to whoever is asking now."""
    flow = flow_load(request)
    if flow is None:
        return None
    # A number change belongs to the signed-in user; a sign-in or a signup to nobody signed in yet.
    if flow.purpose == Purpose.PHONE_CHANGE:
        belongs = request.user.is_authenticated and request.user.pk == flow.user_id
    else:
        belongs = not request.user.is_authenticated
    if not belongs:
        flow_clear(request)
        return None
    return flow


def _no_flow(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    messages.info(request, gettext("Sign in or sign up first: then we send you a code."))
    return redirect("accounts:login")


def _who(request, flow):
    return actor(request, flow.username)


def _refused(request, flow, exc):
    """End the code step that can no longer go on, and say why."""
    flow_clear(request)
    text, to = REFUSED[exc.reason]
    messages.error(request, str(text))
    if to is None:
        to = "accounts:profile" if flow.purpose == Purpose.PHONE_CHANGE else "accounts:signup"
    return redirect(to)


@sensitive_post_parameters("code")
@never_cache
def verify(request):
    flow = _current_flow(request)
    if flow is None:
        return _no_flow(request)
    if not flow.verification_id:  # deferred: its code goes once the number's cooldown is over
        return render(request, "accounts/verify.html", _deferred_context(flow))
    try:
        verification = services.code_get(flow)
    except NotFound:
        flow_clear(request)
        return _no_flow(request)
    form = CodeForm()
    if request.method == "POST" and _is_keypad(verification):
        messages.error(request, str(KEYPAD_ONLY))  # the page shows the code: typing it here would prove nothing
        return redirect("accounts:verify")
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid() and verification.is_pending:
            try:
                result, user = services.code_check(flow=flow, code=form.cleaned_data["code"], actor=_who(request, flow))
            except KeypadOnly:
                messages.error(request, str(KEYPAD_ONLY))
                return redirect("accounts:verify")
            except services.CodeStepRefused as exc:
                return _refused(request, flow, exc)
            if result.refused:  # it ended meanwhile: the page says how
                verification = services.code_get(flow)
            else:
                if result.valid:
                    return _done(request, flow, user)
                if flow.withheld is not None:
                    flow_save(request, flow)  # its tries are counted in the flow
                verification = result.verification
                left = result.checks_remaining
                if left:
                    text = ngettext(
                        "That code is not right. %(count)s try left.",
                        "That code is not right. %(count)s tries left.",
                        left,
                    )
                    form.add_error("code", text % {"count": left})
    return render(request, "accounts/verify.html", _context(flow, verification, form))


def _is_keypad(verification):
    return verification.voice_mode == "keypad"


def _context(flow, verification, form):
    pending = verification.is_pending
    keypad = _is_keypad(verification)
    # Approved by the phone, waiting for this page to go on: not an ended code.
    keypad_approved = keypad and verification.status == Status.APPROVED
    ended = None if pending or keypad_approved else VerificationNotPending(verification.status).code
    # A resend (pending) and a new code (ended) wait for the same limits on the number.
    wait = services.resend_wait_seconds(verification)
    if keypad_approved:
        headline, waiting = _("Your phone sent the code"), "call"
    elif keypad:
        headline, waiting = _("Type this code on your phone"), "call"
    elif pending:
        headline, waiting = _("Enter your code"), "again"
    else:
        headline, waiting = _("Ask for a new code"), "new"
    if ended == "verification_failed":
        ended_text = FAILED_TEXTS[flow.channel] % {"number": mask_phone_number(flow.phone_number)}
    else:
        ended_text = ENDED_TEXTS.get(ended, _("This code can no longer be used."))
    return {
        **_shared_context(flow, wait, waiting),
        "form": form,
        "verification": verification,
        "headline": headline,
        "pending": pending,
        "ended": ended,
        "keypad": keypad,
        "keypad_approved": keypad_approved,
        "keypad_code": verification.keypad_code if keypad else None,
        "keypad_spoken": " ".join(verification.keypad_code or "") if keypad else "",
        "ended_text": ended_text,
        "checks_remaining": verification.checks_remaining,
    }


def _deferred_context(flow):
    """A code step whose code has not gone yet (another went to the number moments ago)."""
    wait = services.send_wait_seconds(flow.phone_number)
    return {**_shared_context(flow, wait, "send"), "deferred": True, "headline": _("Your code goes out in a moment")}


def _sandbox_phone_url():
    """The sandbox phone's page where the site delivers through the sandbox and routes it, else ""."""
    if app_settings.CARRIER != "sandbox" or not getattr(settings, "SANDBOX_ENABLED", True):
        return ""
    try:
        return reverse("sandbox:phone")
    except NoReverseMatch:  # the sandbox app is not installed, or not routed
        return ""


def _shared_context(flow, wait, waiting):
    other = CodeChannel.CALL if flow.channel == CodeChannel.SMS else CodeChannel.SMS
    later, now = WAITS[waiting]
    sandbox = _sandbox_phone_url()
    return {
        "flow": flow,
        "masked_number": mask_phone_number(flow.phone_number),
        "other_channel": other,
        "again_label": AGAIN_LABELS[flow.channel],
        "instead_label": INSTEAD_LABELS[other],
        "new_label": NEW_LABELS[flow.channel],
        "new_other_label": NEW_LABELS[other],
        "send_label": SEND_LABELS[flow.channel],
        "send_other_label": INSTEAD_LABELS[other],
        "wait_seconds": wait,
        "wait_text": later % {"wait": wait_words(wait)},
        "wait_later": later % {"wait": "{wait}"},
        "wait_now": now,
        "wait_units": wait_units(),
        "sandbox_enabled": bool(sandbox),
        "sandbox_link": f"{sandbox}?{urlencode({'to': flow.phone_number})}" if sandbox else "",
    }


@never_cache
@require_POST
def keypad_continue(request):
    """Keypad mode: go on once the phone has sent the code (the button, or verify.js when it sees the status)."""
    flow = _current_flow(request)
    if flow is None:
        return _no_flow(request)
    if not flow.verification_id:  # deferred: nothing to follow yet
        return redirect("accounts:verify")
    try:
        verification, user = services.code_follow(flow)
    except NotFound:
        flow_clear(request)
        return _no_flow(request)
    except services.CodeStepRefused as exc:
        return _refused(request, flow, exc)
    if user is not None:
        return _done(request, flow, user)
    if verification.is_pending and _is_keypad(verification):
        messages.info(request, str(KEYPAD_WAITING))
    return redirect("accounts:verify")  # an ended code: the page says how, and offers a new one


@never_cache
@require_GET
def status(request):
    """The code step's status for verify.js to follow: {"status": ...} and nothing else."""
    flow = _current_flow(request)
    try:
        verification = services.code_get(flow) if flow is not None else None
    except NotFound:
        verification = None
    if verification is None:
        return JsonResponse({"status": None}, status=404)
    return JsonResponse({"status": verification.status})


def _done(request, flow, user):
    flow_clear(request)
    if flow.purpose == Purpose.PHONE_CHANGE:
        text = gettext("Your phone number is now %(number)s.")
        messages.success(request, text % {"number": mask_phone_number(flow.phone_number)})
        return redirect("accounts:profile")
    login(request, user)
    if flow.purpose == Purpose.SIGNUP:
        welcome = gettext("Your phone number is verified. Welcome!")
    else:
        welcome = gettext("You are signed in.")
    messages.success(request, welcome)
    # A path (safe_next made sure), never a URL name: redirect() would try to reverse one.
    return HttpResponseRedirect(flow.next_url) if flow.next_url else redirect("accounts:profile")


def _channel(request):
    channel = request.POST.get("channel")
    return channel if channel in CodeChannel.values else None


@never_cache
@require_POST
def resend(request):
    """The same code again, by the flow's channel or the one asked for."""
    return _send_again(
        request,
        lambda flow: services.code_resend(flow=flow, channel=_channel(request), actor=_who(request, flow)),
        done=RESENT,
        ended_quietly=(VerificationNotPending, NotFound),  # the page says how it ended
    )


@never_cache
@require_POST
def restart(request):
    """A new code, after the old one expired, was locked or could not be delivered; or a deferred step's first."""
    flow = _current_flow(request)
    return _send_again(
        request,
        lambda flow: services.code_restart(
            flow=flow, channel=_channel(request), actor=_who(request, flow), locale=page_locale()
        ),
        done=SENT if flow is not None and not flow.verification_id else RESTARTED,
    )


RESENT = {
    "sms": _("The code is on its way again by text message."),
    "call": _("The code is on its way again by voice call."),
}
RESTARTED = {
    "sms": _("A new code is on its way by text message."),
    "call": _("A new code is on its way by voice call."),
}
SENT = {"sms": _("Your code is on its way by text message."), "call": _("Your code is on its way by voice call.")}


def _send_again(request, send, *, done, ended_quietly=()):
    """Resend and restart alike: send, then say what happened on the code page."""
    flow = _current_flow(request)
    if flow is None:
        return _no_flow(request)
    try:
        flow = send(flow)
    except Throttled as exc:
        messages.error(request, throttled_text(exc))
    except SEND_REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    except services.CodeStepRefused as exc:
        return _refused(request, flow, exc)
    except ended_quietly:
        pass
    else:
        flow_save(request, flow)
        messages.success(request, str(done[flow.channel]))
    return redirect("accounts:verify")


@never_cache
@require_POST
def cancel(request):
    """Give up the code step, and say so where the person expects to be: the signup or sign-in page to
    start over, or the profile for a number change."""
    flow = _current_flow(request)
    if flow is None:
        return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
    services.code_abandon(flow=flow, actor=_who(request, flow))
    flow_clear(request)
    text, to = CANCELED[flow.purpose]
    messages.info(request, str(text))
    return redirect(to)
