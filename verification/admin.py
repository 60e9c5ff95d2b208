"""Django admin: verifications, deliveries and the read-only audit trail.

Phone numbers are masked in lists; codes are never shown (there is nothing to
show: only a hash and, while pending, ciphertext).
"""

import uuid

import phonenumbers
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .models import ActorType, AuditEvent, Delivery, DeliveryStatus, FraudBlock, Status, VerificationAttempt
from .net import client_ip
from .phones import mask_phone_number_for_staff
from .selectors import values_recently_seen, values_seen
from .services import Actor, verification_cancel
from .webhooks import admin as webhooks_admin  # noqa: F401 - registers the webhook pages


class BoundedCountPaginator(Paginator):
    """Counts a changelist's rows up to BOUND, past it takes PostgreSQL's estimate: a list
    of a million rows never runs COUNT(*) over all of them on every page."""

    BOUND = 10_000

    @cached_property
    def count(self):
        counted = self.object_list[: self.BOUND + 1].count()
        if counted <= self.BOUND:
            return counted
        if connection.vendor != "postgresql":
            return self.object_list.count()
        sql, params = self.object_list.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        return max(int(plan[0]["Plan"]["Plan Rows"]), counted)


def code_label(labels, code):
    """An audit code ("delivery_status") by its label in the page's language; an unknown one as it is stored."""
    return labels.get(code, code)


# The audit trail's codes as the admin shows them; the rows keep the codes. One list for the
# list, its filters, an event's page and a verification's inline.
AUDIT_EVENTS = {
    "created": pgettext_lazy("audit event", "Created"),
    "delivery_queued": pgettext_lazy("audit event", "Delivery queued"),
    "delivery_sent": pgettext_lazy("audit event", "Delivery sent"),
    "delivery_status": pgettext_lazy("audit event", "Delivery status from the carrier"),
    "resend": pgettext_lazy("audit event", "Code sent again"),
    "fallback": pgettext_lazy("audit event", "Fallback to the next channel"),
    "check": pgettext_lazy("audit event", "Code checked"),
    "confirmed": pgettext_lazy("audit event", "Confirmed on the device"),
    "canceled": pgettext_lazy("audit event", "Canceled"),
    "superseded": pgettext_lazy("audit event", "Replaced by a newer verification"),
    "expired": pgettext_lazy("audit event", "Expired"),
    "failed": pgettext_lazy("audit event", "Failed to deliver"),
}
AUDIT_OUTCOMES = {
    "valid": pgettext_lazy("audit outcome", "Right code"),
    "invalid": pgettext_lazy("audit outcome", "Wrong code"),
    "refused": pgettext_lazy("audit outcome", "Refused (no longer pending)"),
    "skipped_ended": pgettext_lazy("audit outcome", "Skipped (the verification had ended)"),
    "skipped_done": pgettext_lazy("audit outcome", "Skipped (no channel left)"),
    "started_call": pgettext_lazy("audit outcome", "Voice call started"),
    "started_sms": pgettext_lazy("audit outcome", "SMS started"),
}


def values_filter(field, title, choices, labels=None):
    """A list filter on `field` whose choices come from `choices()`, a cheap query: Django's
    own filter on a field without choices runs `SELECT DISTINCT` over the whole table.
    With `labels`, a value is offered by its label."""

    class ValuesFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return [(value, code_label(labels or {}, value)) for value in choices()]

        def queryset(self, request, queryset):
            return queryset if self.value() is None else queryset.filter(**{field: self.value()})

    ValuesFilter.title = title
    return ValuesFilter


CountryFilter = values_filter("country", _("country"), lambda: values_seen(VerificationAttempt, "country"))
VerificationCountryFilter = values_filter(
    "verification__country", _("country"), lambda: values_seen(VerificationAttempt, "country")
)


class LargeListMixin:
    """A changelist over a million rows: counted up to a bound, no second full count, and no
    date hierarchy (its months and days are a DISTINCT over the table; the date filter stays)."""

    paginator = BoundedCountPaginator
    show_full_result_count = False


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Delivery
    fields = ["channel", "carrier", "status", "tries", "plivo_hangup", "duration_seconds", "error", "created_at"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("hangup"))
    def plivo_hangup(self, obj):
        return hangup_summary(obj)


def hangup_summary(delivery):
    """Plivo's hangup cause in one line: "4010 End Of XML Instructions (Plivo)", or the telephony cause."""
    if not (delivery.hangup_cause_code or delivery.hangup_cause_name):
        return delivery.hangup_cause or "-"
    summary = f"{delivery.hangup_cause_code} {delivery.hangup_cause_name}".strip()
    return f"{summary} ({delivery.hangup_source})" if delivery.hangup_source else summary


def to_the_second(moment):
    """Audit times to the second (the admin's default format stops at the minute)."""
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s") if moment else "-"


VERIFICATION_STATUSES = dict(Status.choices)
DELIVERY_STATUSES = dict(DeliveryStatus.choices)


def status_label(event, status):
    """An audit line's status by its label: a delivery's for a delivery's line, else the verification's."""
    labels = DELIVERY_STATUSES if event.delivery_id else VERIFICATION_STATUSES
    return labels.get(status, status)


class AuditCodesMixin:
    """An audit trail's event and outcome columns in words ("Code checked", "Right code"); its rows keep the codes."""

    event_labels = AUDIT_EVENTS
    outcome_labels = AUDIT_OUTCOMES

    @admin.display(description=_("event"), ordering="event")
    def event_shown(self, line):
        return code_label(self.event_labels, line.event)

    @admin.display(description=_("outcome"), ordering="outcome")
    def outcome_shown(self, line):
        return code_label(self.outcome_labels, line.outcome) or "-"


class AuditLinePageMixin(AuditCodesMixin):
    """An audit line's page titled by its time and labels ("2026-12-02 06:20:11 Code checked Right code"),
    in its heading and breadcrumbs, not by the model's str (its stored codes)."""

    change_form_template = "admin/verification/audit_line_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            labels = [code_label(self.event_labels, obj.event), code_label(self.outcome_labels, obj.outcome)]
            context["subtitle"] = " ".join([to_the_second(obj.created_at), *map(str, labels)]).strip()
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


class AuditStatusMixin(AuditCodesMixin):
    """The audit trail's from/to columns in words ("Approved"), as the status columns elsewhere."""

    @admin.display(description=_("from status"), ordering="from_status")
    def from_status_shown(self, event):
        return status_label(event, event.from_status) or "-"

    @admin.display(description=_("to status"), ordering="to_status")
    def to_status_shown(self, event):
        return status_label(event, event.to_status) or "-"


class AuditEventInline(AuditStatusMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = AuditEvent
    fields = ["time", "event_shown", "from_status_shown", "to_status_shown", "outcome_shown", "actor_type", "actor", "ip"]
    readonly_fields = fields
    extra = 0

    class Media:
        css = {"all": ["verification/admin.css"]}

    @admin.display(description=_("time"))
    def time(self, obj):
        return to_the_second(obj.created_at)


def admin_actor(request):
    return Actor(type=ActorType.ADMIN, name=request.user.get_username(), ip=client_ip(request))


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(LargeListMixin, admin.ModelAdmin):
    list_display = ["masked_phone_number", "country", "channel", "status", "failed_checks", "created_at"]
    list_filter = ["status", "channel", CountryFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=phone_number", "=id"]  # the search box; get_search_results below finds them
    fields = [
        "id",
        "masked_phone_number",
        "country",
        "channel",
        "locale",
        "status",
        "failed_checks",
        "max_checks",
        "client_ip",
        "api_key",
        "created_at",
        "expires_at",
        "ended_at",
        "last_sent_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryInline, AuditEventInline]
    actions = ["cancel_selected"]

    class Media:
        css = {"all": ["verification/admin.css"]}

    @admin.display(description=_("phone number"), ordering="phone_number")
    def masked_phone_number(self, obj):
        return mask_phone_number_for_staff(obj.phone_number)

    def get_search_results(self, request, queryset, search_term):
        """A number (as typed, spaces and all) or a verification's id, each found by its index:
        Django's `=` search compares UPPER() of every row's text."""
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(pk=uuid.UUID(term)), False
        except ValueError:
            pass
        try:
            number = phonenumbers.format_number(phonenumbers.parse(term, None), phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            number = term
        return queryset.filter(phone_number=number), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing on a verification is edited by hand: its page is a read-only view (no Save
        # buttons); the list keeps the cancel action for those who may change verifications.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail keeps every verification

    @admin.action(description=_("Cancel the selected pending verifications"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        canceled = 0
        for verification in queryset.filter(status="pending"):
            outcome = verification_cancel(verification_id=verification.pk, actor=admin_actor(request))
            canceled += outcome.refused is None
        text = ngettext("Canceled %(count)d verification.", "Canceled %(count)d verifications.", canceled)
        self.message_user(request, text % {"count": canceled}, messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(LargeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["masked_phone_number", "channel", "carrier", "status", "tries", "plivo_hangup", "created_at"]
    list_filter = [
        "status",
        "channel",
        values_filter("carrier", _("carrier"), lambda: values_recently_seen(Delivery, "carrier")),
        values_filter("hangup_source", _("hangup source"), lambda: values_recently_seen(Delivery, "hangup_source")),
        VerificationCountryFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["verification"]
    readonly_fields = [
        "id",
        "verification",
        "channel",
        "carrier",
        "status",
        "provider_id",
        "tries",
        "error",
        "hangup_cause",
        "hangup_cause_code",
        "hangup_cause_name",
        "hangup_source",
        "duration_seconds",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    class Media:
        css = {"all": ["verification/admin.css"]}

    @admin.display(description=_("phone number"))
    def masked_phone_number(self, obj):
        return mask_phone_number_for_staff(obj.verification.phone_number)

    @admin.display(description=_("hangup"), ordering="hangup_cause_code")
    def plivo_hangup(self, obj):
        return hangup_summary(obj)


@admin.register(AuditEvent)
class AuditEventAdmin(AuditLinePageMixin, AuditStatusMixin, LargeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "time", "event_shown", "masked_phone_number", "from_status_shown", "to_status_shown", "outcome_shown", "actor_type",
        "actor", "ip",
    ]  # fmt: skip
    list_filter = [
        values_filter("event", _("event"), lambda: values_seen(AuditEvent, "event"), AUDIT_EVENTS),
        values_filter("outcome", _("outcome"), lambda: values_recently_seen(AuditEvent, "outcome"), AUDIT_OUTCOMES),
        "actor_type",
        VerificationCountryFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["verification"]
    fields = [
        "time", "event_shown", "verification", "delivery", "from_status_shown", "to_status_shown", "outcome_shown",
        "actor_type", "actor", "ip", "detail",
    ]  # fmt: skip
    readonly_fields = fields

    class Media:
        css = {"all": ["verification/admin.css"]}

    @admin.display(description=_("time"), ordering="created_at")
    def time(self, obj):
        return to_the_second(obj.created_at)

    @admin.display(description=_("phone number"))
    def masked_phone_number(self, obj):
        return mask_phone_number_for_staff(obj.verification.phone_number)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and super().has_view_permission(request, obj)


@admin.register(FraudBlock)
class FraudBlockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The fraud guard's blocks, as its audit trail: what tripped, and who lifted it (on the rate-limit page)."""

    list_display = ["created_at", "scope", "subject_shown", "sends", "approvals", "blocked_until", "lifted_at", "lifted_by"]
    list_filter = ["scope", ("created_at", admin.DateFieldListFilter)]
    date_hierarchy = "created_at"
    fields = [
        "created_at", "scope", "subject", "sends", "approvals", "window_seconds", "min_sends", "min_conversion",
        "actor_type", "blocked_until", "lifted_at", "lifted_by", "lifted_by_ip",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("subject"), ordering="subject")
    def subject_shown(self, block):
        return block.shown_subject

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and super().has_view_permission(request, obj)
