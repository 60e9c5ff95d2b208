"""Sign up, sign in, sign out and the profile: thin views over the account services."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ..exceptions import (
    ChannelNotAvailable,
    CountryNotAllowed,
    InvalidPhoneNumber,
    Throttled,
)
from ..phones import parse_phone_number
from . import services, throttle
from .countries import region_from_accept_language
from .flow import flow_load, flow_save
from .forms import ChannelForm, LoginForm, PhoneChangeForm, SignupForm
from .models import PhoneProfile
from .pages import (
    CHANNEL_WORDS,
    NUMBER_TAKEN,
    actor,
    client_ip,
    page_locale,
    safe_next,
    throttled_text,
)


def send_errors(form, exc):
    """A send the services refused, told on the field it is about (the form's errors if it has no such field)."""
    if isinstance(exc, Throttled):
        form.add_error(None, throttled_text(exc))
    elif isinstance(exc, ChannelNotAvailable):
        form.add_error("channel" if "channel" in form.fields else None, exc.detail)
    elif "phone_number" in form.fields:
        form.add_error("phone_number", exc.detail)
    else:  # the account's stored number, e.g. from a country no longer allowed
        form.add_error(None, f"We cannot send a code to this account's number: {exc.detail} Ask an administrator.")


SEND_ERRORS = (Throttled, ChannelNotAvailable, InvalidPhoneNumber, CountryNotAllowed)


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
                form.add_error("username", "This username is taken.")
            except services.NumberTaken:
                form.add_error("phone_number", NUMBER_TAKEN)
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
                next_url=safe_next(request),
                current=flow_load(request),
            )
        except services.InvalidCredentials:
            form.add_error(None, "The username or the password is not right.")
        except services.NoPhone:
            form.add_error(None, "This account has no phone number to send a code to. Ask an administrator.")
        except services.NumberTaken:
            form.add_error(None, "This signup's number is now used by another account: sign up again with another one.")
        except SEND_ERRORS as exc:
            send_errors(form, exc)
        else:
            flow_save(request, flow)
            return redirect("accounts:verify")
    return render(request, "accounts/login.html", {"form": form, "next": safe_next(request)})


logout = auth_views.LogoutView.as_view(next_page="accounts:login")


def _profile_page(request, phone_form=None, channel_form=None, status=200):
    profile = PhoneProfile.objects.filter(user=request.user).first()
    if phone_form is None:
        country = _allowed_region(profile.phone_number) if profile else None
        country = country or region_from_accept_language(request.headers.get("Accept-Language"))
        phone_form = PhoneChangeForm(initial={"country": country})
    if channel_form is None:
        channel_form = ChannelForm(initial={"preferred_channel": profile.preferred_channel if profile else None})
    context = {"profile": profile, "phone_form": phone_form, "channel_form": channel_form}
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
    form = PhoneChangeForm(request.POST)
    if form.is_valid():
        try:
            flow = services.profile_phone_change(
                user=request.user,
                phone_number=form.cleaned_data["phone_e164"],
                actor=actor(request, request.user.username),
                locale=page_locale(),
            )
        except services.NumberTaken:
            form.add_error("phone_number", NUMBER_TAKEN)
        except SEND_ERRORS as exc:
            send_errors(form, exc)
        except PhoneProfile.DoesNotExist:
            form.add_error(None, "This account has no phone number to change. Ask an administrator.")
        else:
            flow_save(request, flow)
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
    messages.success(request, f"Saved: your codes will come by {channel}.")
    return redirect("accounts:profile")
