"""Phone profiles in the admin, with the numbers masked like everywhere else there."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from verification.admin import AuditLinePageMixin, to_the_second, values_filter
from verification.phones import mask_phone_number_for_staff
from verification.selectors import values_recently_seen

from .flow import Purpose
from .models import AccountEvent, PhoneProfile

# The accounts' audit codes as the admin shows them (the rows keep the codes); the verifications'
# own are in verification/admin.py.
ACCOUNT_EVENTS = {
    Purpose.SIGNUP: pgettext_lazy("account event", "Sign-up"),
    Purpose.LOGIN: pgettext_lazy("account event", "Sign-in"),
    Purpose.PHONE_CHANGE: pgettext_lazy("account event", "Phone number change"),
    "rate_limit_unblock": pgettext_lazy("account event", "Rate limit lifted"),
}
ACCOUNT_OUTCOMES = {
    "code_sent": pgettext_lazy("account outcome", "Code sent"),
    "withheld": pgettext_lazy("account outcome", "Withheld (another account's number)"),
    "throttled": pgettext_lazy("account outcome", "Throttled"),
    "invalid": pgettext_lazy("account outcome", "Invalid form"),
    "refused": pgettext_lazy("account outcome", "Refused"),
    "canceled": pgettext_lazy("account outcome", "Canceled"),
    "unblocked": pgettext_lazy("account outcome", "Unblocked"),
}


@admin.register(PhoneProfile)
class PhoneProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "masked_number", "phone_verified", "preferred_channel", "updated_at"]
    list_filter = ["phone_verified", "preferred_channel"]
    search_fields = ["user__username"]
    readonly_fields = ["created_at", "updated_at"]
    raw_id_fields = ["user"]

    @admin.display(description=_("phone number"))
    def masked_number(self, profile):
        return mask_phone_number_for_staff(profile.phone_number)


@admin.register(AccountEvent)
class AccountEventAdmin(AuditLinePageMixin, admin.ModelAdmin):
    """The accounts' audit trail: read-only, like the verifications' own."""

    event_labels = ACCOUNT_EVENTS
    outcome_labels = ACCOUNT_OUTCOMES

    list_display = ["time", "event_shown", "outcome_shown", "actor", "ip", "phone_masked", "verification_id"]
    list_filter = [
        values_filter("event", _("event"), lambda: values_recently_seen(AccountEvent, "event"), ACCOUNT_EVENTS),
        values_filter("outcome", _("outcome"), lambda: values_recently_seen(AccountEvent, "outcome"), ACCOUNT_OUTCOMES),
    ]
    search_fields = ["actor", "phone_digest", "=ip"]
    date_hierarchy = "created_at"
    fields = [
        "time", "event_shown", "outcome_shown", "account_id", "actor", "ip", "phone_masked", "phone_digest",
        "verification_id", "detail",
    ]  # fmt: skip
    readonly_fields = fields

    class Media:
        css = {"all": ["verification/admin.css"]}

    @admin.display(description=_("time"), ordering="created_at")
    def time(self, event):
        return to_the_second(event.created_at)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
