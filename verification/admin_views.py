"""Admin pages beside the model admins: the dashboard and the rate limits (with unblock)."""

import re
import uuid

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import clock, fraud
from .admin_rate_limits import fraud_blocks_shown, rate_limit_rows, rate_limit_unblock, window_subject
from .models import ActorType, Channel, DeliveryStatus, FraudScope
from .net import client_ip
from .selectors import dashboard_figures, fraud_figures
from .services import Actor

# One sentence per scope: a translation declines "range" and "country" in its own way.
LIFTED = {
    FraudScope.RANGE: gettext_lazy("Lifted the block of number range %(subject)s."),
    FraudScope.COUNTRY: gettext_lazy("Lifted the block of country %(subject)s."),
}


def _context(request, title, **extra):
    return {**admin.site.each_context(request), "title": title, **extra}


def _labelled(row, **labels):
    """A row of figures with each value also by its label, for the page: `channel_label`, `status_label`."""
    return {**row, **{f"{key}_label": names.get(row[key], row[key]) for key, names in labels.items() if key in row}}


def dashboard(request):
    if not request.user.has_perm("verification.view_verificationattempt"):
        raise PermissionDenied
    try:
        days = min(max(int(request.GET.get("days", 7)), 1), 90)
    except ValueError:
        days = 7
    figures = dashboard_figures(days=days)
    figures["fraud"] = fraud_figures(days=days, countries=figures["countries"])
    channels, statuses = dict(Channel.choices), dict(DeliveryStatus.choices)
    charts = {
        "daily": figures["daily"],
        "deliveries": figures["deliveries"],
        "by_channel": figures["by_channel"],
        # The legend's and the axis' words: the data keeps the values, the chart shows the labels.
        "labels": {"channel": {k: str(v) for k, v in channels.items()}, "status": {k: str(v) for k, v in statuses.items()}},
    }
    # The tables' rows with their channels and statuses in words (the figures keep the values).
    rows = {
        part: [_labelled(row, channel=channels, status=statuses) for row in figures[part]]
        for part in ("by_channel", "deliveries", "deliveries_by_country")
    }
    return TemplateResponse(
        request,
        "admin/verification/dashboard.html",
        _context(
            request, _("Verification dashboard"), figures=figures, rows=rows, charts=charts, day_choices=[1, 7, 30, 90]
        ),
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
        name, subject = request.POST.get("name", ""), window_subject(request.POST.get("window", ""))
        if re.fullmatch(r"[a-z0-9-]{1,40}", name) and subject and len(subject) <= 200:
            shown = rate_limit_unblock(name=name, subject=subject, actor=_admin_actor(request), user_id=request.user.pk)
            messages.success(request, _("Unblocked %(limit)s for %(who)s.") % {"limit": name, "who": shown})
        else:
            messages.error(request, _("Nothing to unblock."))
        return redirect("verification-rate-limits")
    return TemplateResponse(
        request,
        "admin/verification/rate_limits.html",
        _context(request, _("Rate limits"), rows=rate_limit_rows(), blocks=fraud_blocks_shown()),
    )


def _admin_actor(request):
    return Actor(type=ActorType.ADMIN, name=request.user.get_username(), ip=client_ip(request))


def _lift(request):
    """Lift one of the fraud guard's blocks; the block's row keeps who did it."""
    try:
        block_id = uuid.UUID(request.POST["lift"])
    except ValueError:
        block_id = None
    with transaction.atomic():
        block = fraud.lift(block_id, actor=_admin_actor(request), now=clock.now()) if block_id else None
        if block is not None:
            text = LIFTED[block.scope] % {"subject": block.shown_subject}
            LogEntry.objects.log_actions(request.user.pk, [block], CHANGE, change_message=text, single_object=True)
    if block is None:
        messages.error(request, _("No such block, or it was already lifted."))
    else:
        messages.success(request, text)
    return redirect("verification-rate-limits")
