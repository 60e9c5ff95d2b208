"""Django admin: verifications, deliveries and the read-only audit trail.

Phone numbers are masked in lists; codes are never shown (there is nothing to
show: only a hash and, while pending, ciphertext).
"""

from django.contrib import admin, messages

from .models import ActorType, AuditEvent, Delivery, FraudBlock, VerificationAttempt
from .net import client_ip
from .phones import mask_phone_number
from .services import Actor, verification_cancel
from .webhooks import admin as webhooks_admin  # noqa: F401 - registers the webhook pages


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

    @admin.display(description="hangup")
    def plivo_hangup(self, obj):
        return hangup_summary(obj)


def hangup_summary(delivery):
    """Plivo's hangup cause in one line: "4010 End Of XML Instructions (Plivo)", or the telephony cause."""
    if not (delivery.hangup_cause_code or delivery.hangup_cause_name):
        return delivery.hangup_cause or "-"
    summary = f"{delivery.hangup_cause_code} {delivery.hangup_cause_name}".strip()
    return f"{summary} ({delivery.hangup_source})" if delivery.hangup_source else summary


class AuditEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AuditEvent
    fields = ["created_at", "event", "from_status", "to_status", "outcome", "actor_type", "actor", "ip"]
    readonly_fields = fields
    extra = 0


def admin_actor(request):
    return Actor(type=ActorType.ADMIN, name=request.user.get_username(), ip=client_ip(request))


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(admin.ModelAdmin):
    list_display = ["masked_phone_number", "country", "channel", "status", "failed_checks", "created_at"]
    list_filter = ["status", "channel", "country", ("created_at", admin.DateFieldListFilter)]
    date_hierarchy = "created_at"
    search_fields = ["=phone_number", "=id"]
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

    @admin.display(description="phone number", ordering="phone_number")
    def masked_phone_number(self, obj):
        return mask_phone_number(obj.phone_number)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail keeps every verification

    @admin.action(description="Cancel the selected pending verifications")
    def cancel_selected(self, request, queryset):
        canceled = 0
        for verification in queryset.filter(status="pending"):
            outcome = verification_cancel(verification_id=verification.pk, actor=admin_actor(request))
            canceled += outcome.refused is None
        self.message_user(request, f"Canceled {canceled} verification(s).", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["masked_phone_number", "channel", "carrier", "status", "tries", "plivo_hangup", "created_at"]
    list_filter = [
        "status",
        "channel",
        "carrier",
        "hangup_source",
        "verification__country",
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["verification"]
    date_hierarchy = "created_at"
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

    @admin.display(description="phone number")
    def masked_phone_number(self, obj):
        return mask_phone_number(obj.verification.phone_number)

    @admin.display(description="hangup", ordering="hangup_cause_code")
    def plivo_hangup(self, obj):
        return hangup_summary(obj)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "event", "masked_phone_number", "from_status", "to_status", "outcome", "actor_type", "actor", "ip"]
    list_filter = ["event", "outcome", "actor_type", "verification__country", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["verification"]
    date_hierarchy = "created_at"
    fields = ["created_at", "event", "verification", "delivery", "from_status", "to_status", "outcome", "actor_type", "actor", "ip", "detail"]
    readonly_fields = fields

    @admin.display(description="phone number")
    def masked_phone_number(self, obj):
        return mask_phone_number(obj.verification.phone_number)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and super().has_view_permission(request, obj)


@admin.register(FraudBlock)
class FraudBlockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The fraud guard's blocks, as its audit trail: what tripped, and who lifted it (on the rate-limit page)."""

    list_display = ["created_at", "scope", "shown_subject", "sends", "approvals", "blocked_until", "lifted_at", "lifted_by"]
    list_filter = ["scope", ("created_at", admin.DateFieldListFilter)]
    date_hierarchy = "created_at"
    fields = [
        "created_at", "scope", "subject", "sends", "approvals", "window_seconds", "min_sends", "min_conversion",
        "actor_type", "blocked_until", "lifted_at", "lifted_by", "lifted_by_ip",
    ]  # fmt: skip
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and super().has_view_permission(request, obj)
