"""The admin's view of status webhooks: each key's URL and secret (rotated here), every
message and every attempt, and "send again"."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import clock
from ..codes import encrypt_code
from ..conf import app_settings
from ..models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from .addresses import WebhookUrlNotAllowed, public_addresses
from .outbox import endpoint_rotate
from .signing import new_secret

ROTATION_GRACE = timedelta(hours=24)  # the old secret signs too, while receivers switch


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["api_key", "url"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url:
            try:
                public_addresses(url, allow_private=app_settings.WEBHOOK_ALLOW_PRIVATE_HOSTS)
            except WebhookUrlNotAllowed as exc:
                raise forms.ValidationError(exc.detail) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["api_key", "url", "previous_secret_until", "created_at"]
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        if not change:
            secret = new_secret()
            obj.secret_encrypted = encrypt_code(secret)
            messages.warning(request, _("Webhook secret (shown once): %(secret)s") % {"secret": secret})
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Rotate the signing secret (the old one signs for 24 more hours)"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            secret = endpoint_rotate(endpoint, now=clock.now(), grace=ROTATION_GRACE)
            text = _("New webhook secret for %(key)s (shown once): %(secret)s")
            messages.warning(request, text % {"key": endpoint.api_key, "secret": secret})


def _to_the_second(moment):
    from ..admin import to_the_second

    return to_the_second(moment)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["time", "status_code", "latency_ms", "error", "excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("time"))
    def time(self, attempt):
        return _to_the_second(attempt.at)


@admin.register(WebhookMessage)
class WebhookMessageAdmin(admin.ModelAdmin):
    list_display = ["time", "event_type", "url", "status", "attempts", "last_error"]
    list_filter = ["status", "event_type", ("created_at", admin.DateFieldListFilter)]
    fields = ["id", "event_type", "url", "status", "attempts", "next_attempt_at", "last_error", "delivered_at", "payload"]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # A message is what was sent: its page is a read-only view (no Save buttons); the
        # list keeps "send again" for those who may change messages.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("time"), ordering="created_at")
    def time(self, message):
        return _to_the_second(message.created_at)

    @admin.action(description=_("Send again (the same webhook-id)"), permissions=["change"])
    def send_again(self, request, queryset):
        from ..tasks import enqueue_webhook
        from .sender import webhook_resend

        for message in queryset:
            webhook_resend(message_id=message.pk)
            enqueue_webhook(message.pk)
        count = queryset.count()
        text = ngettext("%(count)d webhook message sent again.", "%(count)d webhook messages sent again.", count)
        messages.success(request, text % {"count": count})
