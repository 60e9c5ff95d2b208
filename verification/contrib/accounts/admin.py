"""Phone profiles in the admin, with the numbers masked like everywhere else there."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from verification.admin import to_the_second
from verification.phones import mask_phone_number_for_staff

from .models import AccountEvent, PhoneProfile


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
class AccountEventAdmin(admin.ModelAdmin):
    """The accounts' audit trail: read-only, like the verifications' own."""

    list_display = ["time", "event", "outcome", "actor", "ip", "phone_masked", "verification_id"]
    list_filter = ["event", "outcome"]
    search_fields = ["actor", "phone_digest", "=ip"]
    date_hierarchy = "created_at"

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
