"""Sign up, sign in, sign out and the profile: thin views over the account services."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from verification.exceptions import (
    ChannelNotAvailable,
    CountryNotAllowed,
    DeliveryBlocked,
    InvalidPhoneNumber,
    Throttled,
)
from verification.phones import parse_phone_number

from . import services, throttle
from .countries import region_from_accept_language
from .flow import flow_load, flow_save
from .forms import ChannelForm, LoginForm, PhoneChangeForm, SignupForm
from .models import PhoneProfile
from .pages import (
    CHANNEL_WORDS,
    MAYBE_SENT,
    NO_PHONE,
    actor,
    client_ip,
    page_locale,
    refusal_text,
    safe_next,
    throttled_text,
)


def send_errors(form, exc):
    """A send the services refused, told on the field it is about (the form's errors if it has no such field)."""
    if isinstance(exc, Throttled):
        form.add_error(None, throttled_text(exc))
    elif isinstance(exc, ChannelNotAvailable):
        form.add_error("channel" if "channel" in form.fields else None, refusal_text(exc))
    elif "phone_number" in form.fields:
        form.add_error("phone_number", refusal_text(exc))
    else:  # the account's stored number, e.g. from a country no longer allowed
        text = _("We cannot send a code to this account's number: %(reason)s Ask an administrator.")
        form.add_error(None, text % {"reason": refusal_text(exc)})


SEND_ERRORS = (Throttled, ChannelNotAvailable, InvalidPhoneNumber, CountryNotAllowed, DeliveryBlocked)


@sensitive_post_parameters("password")
@never_cache
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    if request.method == "POST":
        try:
            # Before the form: its username check would otherwise tell, unthrottled, which names exist.
            throttle.signup_attempt(ip=client_ip(request))
        except Throttled as exc:
            # The form as typed, but never validated (that would answer anyway), with the wait.
            form = SignupForm(initial={k: v for k, v in request.POST.items() if k != "password"})
            return render(request, "accounts/signup.html", {"form": form, "throttled": throttled_text(exc)})
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                flow = services.account_signup(
                    username=data["username"],
                    password=data["password"],
                    phone_number=data["phone_e164"],
                    channel=data["channel"],
                    locale=page_locale(),
                    actor=actor(request, data["username"]),
                )
            except services.UsernameTaken:
                form.add_error("username", _("This username is taken."))
            except SEND_ERRORS as exc:
                send_errors(form, exc)
            else:
                flow_save(request, flow)
                return redirect("accounts:verify")
    else:
        form = SignupForm(initial={"country": region_from_accept_language(request.headers.get("Accept-Language"))})
    return render(request, "accounts/signup.html", {"form": form})


@sensitive_post_parameters("password")
@never_cache
def login(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    return _sign_in(request, "accounts/login.html", next_url=safe_next(request))


def _sign_in(request, template, *, next_url):
    """The first step of every sign-in, the admin's too: the password (throttled), then on to the code."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        try:
            user = services.account_authenticate(
                request=request, username=username, password=form.cleaned_data["password"], ip=client_ip(request)
            )
            flow = services.login_start(
                user=user,
                actor=actor(request, user.username),
                locale=page_locale(),
                next_url=next_url,
                current=flow_load(request),
            )
        except services.InvalidCredentials:
            form.add_error(None, _("The username or the password is not right."))
        except services.NoPhone:
            # Only after the right password. Made by createsuperuser, typically: no code, so no sign-in.
            form.add_error(None, NO_PHONE % {"username": username})
        except SEND_ERRORS as exc:
            send_errors(form, exc)
        else:
            flow_save(request, flow)
            return redirect("accounts:verify")
    return render(request, template, {"form": form, "next": next_url})


logout = auth_views.LogoutView.as_view(next_page="accounts:login")


@sensitive_post_parameters("password")
@never_cache
def admin_login(request):
    """The admin's sign-in (routed as `admin:login`, in the admin's look): the same two steps, services
    and limits as /accounts/login/ -- the password, then a code to the verified phone on
    /accounts/verify/ -- and then the admin (a safe `next`, /admin/ by default).

    Django's own password-only form is never routed: a password posted here is only the first step."""
    target = safe_next(request) or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(target)
        messages.error(request, _("This account cannot use the admin."))
        return redirect("accounts:profile")
    return _sign_in(request, "accounts/admin_login.html", next_url=target)


def _profile_page(request, phone_form=None, channel_form=None, status=200, phone_throttled=""):
    profile = PhoneProfile.objects.filter(user=request.user).first()
    if phone_form is None:
        country = _allowed_region(profile.phone_number) if profile else None
        country = country or region_from_accept_language(request.headers.get("Accept-Language"))
        phone_form = PhoneChangeForm(initial={"country": country})
    if channel_form is None:
        channel_form = ChannelForm(initial={"preferred_channel": profile.preferred_channel if profile else None})
    context = {
        "profile": profile,
        "phone_form": phone_form,
        "channel_form": channel_form,
        "phone_throttled": phone_throttled,
    }
    return render(request, "accounts/profile.html", context, status=status)


def _allowed_region(number):
    """The number's country, if numbers from it are still accepted (the allowed list may have narrowed)."""
    try:
        return parse_phone_number(str(number)).country
    except (InvalidPhoneNumber, CountryNotAllowed):
        return None


@login_required
@never_cache
def profile(request):
    return _profile_page(request)


@login_required
@never_cache
@require_POST
def profile_phone(request):
    """A new number: the same answer whether another account holds it or not (services.profile_phone_change),
    limited per account and per address, every attempt audited."""
    who = actor(request, request.user.username)
    try:
        # Before the form: every post costs a try, whatever it holds.
        services.profile_phone_attempt(user=request.user, actor=who)
    except Throttled as exc:
        # The form as typed, never validated, with the wait.
        form = PhoneChangeForm(initial={k: v for k, v in request.POST.items() if k in ("country", "phone_number")})
        return _profile_page(request, phone_form=form, phone_throttled=throttled_text(exc))
    form = PhoneChangeForm(request.POST)
    if not form.is_valid():
        services.profile_phone_invalid(user=request.user, actor=who, errors=form.errors)
        return _profile_page(request, phone_form=form)
    try:
        flow = services.profile_phone_change(
            user=request.user, phone_number=form.cleaned_data["phone_e164"], actor=who, locale=page_locale()
        )
    except SEND_ERRORS as exc:
        send_errors(form, exc)
    except PhoneProfile.DoesNotExist:
        form.add_error(None, _("This account has no phone number to change. Ask an administrator."))
    else:
        flow_save(request, flow)
        messages.info(request, str(MAYBE_SENT))
        return redirect("accounts:verify")
    return _profile_page(request, phone_form=form)


@login_required
@never_cache
@require_POST
def profile_channel(request):
    form = ChannelForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, channel_form=form)
    services.profile_set_channel(user=request.user, channel=form.cleaned_data["preferred_channel"])
    channel = CHANNEL_WORDS[form.cleaned_data["preferred_channel"]]
    messages.success(request, _("Saved: your codes will come by %(channel)s.") % {"channel": channel})
    return redirect("accounts:profile")
