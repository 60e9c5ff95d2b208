"""The code step: type the code (or, in keypad mode, see it and follow the call), resend it, start again, give up."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from ..exceptions import (
    ChannelNotAvailable,
    CountryNotAllowed,
    DeliveryBlocked,
    InvalidPhoneNumber,
    KeypadOnly,
    NotFound,
    Throttled,
    VerificationNotPending,
)
from ..models import Status
from ..phones import mask_phone_number
from . import services
from .flow import Purpose, flow_clear, flow_load, flow_save
from .forms import CodeForm
from .models import CodeChannel
from .pages import (
    CHANNEL_WORDS,
    NUMBER_TAKEN,
    actor,
    page_locale,
    throttled_text,
    wait_words,
)
from .services import Refusal

ENDED_TEXTS = {
    "verification_expired": "This code has expired.",
    "max_attempts_reached": "Too many wrong codes: this code is locked.",
    "verification_failed": "We could not get the code to your phone.",
    "verification_canceled": "This code was replaced or canceled.",
    "verification_approved": "This code was already used.",
}

# Why a code step cannot go on: what to say, and where to go then.
REFUSED = {
    Refusal.ACCOUNT_GONE: ("This account no longer exists.", "accounts:login"),
    Refusal.PHONE_CHANGE_REPLACED: ("This number change was replaced by a newer one.", "accounts:profile"),
    Refusal.NUMBER_TAKEN: (NUMBER_TAKEN, None),
    Refusal.CANNOT_SIGN_IN: ("This account cannot sign in.", "accounts:login"),
}
# A send refused for the number or the channel: said, and the page shows the code as it is.
SEND_REFUSALS = (ChannelNotAvailable, InvalidPhoneNumber, CountryNotAllowed, DeliveryBlocked)
KEYPAD_ONLY = "This code is not typed here: answer the call and type it on your phone's keypad, then press #."
KEYPAD_WAITING = "Your phone has not sent the code yet. Type it on the keypad during the call, then press #."


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
    messages.info(request, "Sign in or sign up first: then we send you a code.")
    return redirect("accounts:login")


def _who(request, flow):
    return actor(request, flow.username)


def _refused(request, flow, exc):
    """End the code step that can no longer go on, and say why."""
    flow_clear(request)
    text, to = REFUSED[exc.reason]
    messages.error(request, text)
    if to is None:
        to = "accounts:profile" if flow.purpose == Purpose.PHONE_CHANGE else "accounts:signup"
    return redirect(to)


@sensitive_post_parameters("code")
@never_cache
def verify(request):
    flow = _current_flow(request)
    if flow is None:
        return _no_flow(request)
    try:
        verification = services.code_get(flow)
    except NotFound:
        flow_clear(request)
        return _no_flow(request)
    form = CodeForm()
    if request.method == "POST" and _is_keypad(verification):
        messages.error(request, KEYPAD_ONLY)  # the page shows the code: typing it here would prove nothing
        return redirect("accounts:verify")
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid() and verification.is_pending:
            try:
                result, user = services.code_check(flow=flow, code=form.cleaned_data["code"], actor=_who(request, flow))
            except KeypadOnly:
                messages.error(request, KEYPAD_ONLY)
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
                    form.add_error("code", f"That code is not right. {left} {'try' if left == 1 else 'tries'} left.")
    return render(request, "accounts/verify.html", _context(flow, verification, form))


def _is_keypad(verification):
    return verification.voice_mode == "keypad"


def _context(flow, verification, form):
    pending = verification.is_pending
    keypad = _is_keypad(verification)
    # Approved by the phone, waiting for this page to go on: not an ended code.
    keypad_approved = keypad and verification.status == Status.APPROVED
    ended = None if pending or keypad_approved else VerificationNotPending(verification.status).code
    other = CodeChannel.CALL if flow.channel == CodeChannel.SMS else CodeChannel.SMS
    # A resend (pending) and a new code (ended) wait for the same limits on the number.
    wait = services.resend_wait_seconds(verification)
    return {
        "flow": flow,
        "form": form,
        "verification": verification,
        "pending": pending,
        "ended": ended,
        "keypad": keypad,
        "keypad_approved": keypad_approved,
        "keypad_code": verification.keypad_code if keypad else None,
        "ended_text": ENDED_TEXTS.get(ended, "This code can no longer be used."),
        "masked_number": mask_phone_number(flow.phone_number),
        "channel_words": CHANNEL_WORDS[flow.channel],
        "other_channel": other,
        "other_channel_words": CHANNEL_WORDS[other],
        "wait_seconds": wait,
        "wait_words": wait_words(wait),
        "checks_remaining": verification.checks_remaining,
        "sandbox_enabled": getattr(settings, "SANDBOX_ENABLED", False),
    }


@never_cache
@require_POST
def keypad_continue(request):
    """Keypad mode: go on once the phone has sent the code (the button, or verify.js when it sees the status)."""
    flow = _current_flow(request)
    if flow is None:
        return _no_flow(request)
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
        messages.info(request, KEYPAD_WAITING)
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
        messages.success(request, f"Your phone number is now {mask_phone_number(flow.phone_number)}.")
        return redirect("accounts:profile")
    login(request, user)
    welcome = "Your phone number is verified. Welcome!" if flow.purpose == Purpose.SIGNUP else "You are signed in."
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
        done="The code is on its way again by {channel}.",
        ended_quietly=(VerificationNotPending, NotFound),  # the page says how it ended
    )


@never_cache
@require_POST
def restart(request):
    """A new code, after the old one expired, was locked or could not be delivered."""
    return _send_again(
        request,
        lambda flow: services.code_restart(
            flow=flow, channel=_channel(request), actor=_who(request, flow), locale=page_locale()
        ),
        done="A new code is on its way by {channel}.",
    )


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
        messages.error(request, exc.detail)
    except services.CodeStepRefused as exc:
        return _refused(request, flow, exc)
    except ended_quietly:
        pass
    else:
        flow_save(request, flow)
        messages.success(request, done.format(channel=CHANNEL_WORDS[flow.channel]))
    return redirect("accounts:verify")


@never_cache
@require_POST
def cancel(request):
    flow = _current_flow(request)
    if flow is not None:
        services.code_abandon(flow=flow, actor=_who(request, flow))
        flow_clear(request)
    return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
