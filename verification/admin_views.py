"""Admin pages beside the model admins: the dashboard and the rate limits (with unblock)."""

import re
import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from . import clock, fraud, ratelimit
from .models import ActorType
from .net import client_ip
from .selectors import dashboard_figures, fraud_blocks_now, fraud_figures, throttled_now
from .services import Actor
from .services.verifications import known_rule


def _context(request, title, **extra):
    return {**admin.site.each_context(request), "title": title, **extra}


def dashboard(request):
    if not request.user.has_perm("verification.view_verificationattempt"):
        raise PermissionDenied
    try:
        days = min(max(int(request.GET.get("days", 7)), 1), 90)
    except ValueError:
        days = 7
    figures = dashboard_figures(days=days)
    figures["fraud"] = fraud_figures(days=days)
    charts = {"daily": figures["daily"], "deliveries": figures["deliveries"], "by_channel": figures["by_channel"]}
    return TemplateResponse(
        request,
        "admin/verification/dashboard.html",
        _context(request, "Verification dashboard", figures=figures, charts=charts, day_choices=[1, 7, 30, 90]),
    )


@require_http_methods(["GET", "POST"])
def rate_limits(request):
    if not request.user.has_perm("verification.view_verificationattempt"):
        raise PermissionDenied
    if request.method == "POST":
        if not request.user.has_perm("verification.change_verificationattempt"):
            raise PermissionDenied
        if "lift" in request.POST:
            return _lift(request)
        name, subject = request.POST.get("name", ""), request.POST.get("subject", "")
        if re.fullmatch(r"[a-z0-9-]{1,40}", name) and 0 < len(subject) <= 200:
            rule = known_rule(name, subject) or ratelimit.Rule(name, subject, limit=1, window=1)
            ratelimit.reset(rule)
            messages.success(request, f"Unblocked {name} for {subject}.")
        else:
            messages.error(request, "Nothing to unblock.")
        return redirect("verification-rate-limits")
    return TemplateResponse(
        request,
        "admin/verification/rate_limits.html",
        _context(request, "Rate limits", rows=throttled_now(), blocks=fraud_blocks_now()),
    )


def _lift(request):
    """Lift one of the fraud guard's blocks; the block's row keeps who did it."""
    try:
        block_id = uuid.UUID(request.POST["lift"])
    except ValueError:
        block_id = None
    actor = Actor(type=ActorType.ADMIN, name=request.user.get_username(), ip=client_ip(request))
    block = fraud.lift(block_id, actor=actor, now=clock.now()) if block_id else None
    if block is None:
        messages.error(request, "No such block, or it was already lifted.")
    else:
        messages.success(request, f"Lifted the block of {block.get_scope_display().lower()} {block.shown_subject}.")
    return redirect("verification-rate-limits")
