"""Phone profiles in the admin, with the numbers masked like everywhere else there."""

from django.contrib import admin

from ..phones import mask_phone_number
from .models import PhoneProfile


@admin.register(PhoneProfile)
class PhoneProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "masked_number", "phone_verified", "preferred_channel", "updated_at"]
    list_filter = ["phone_verified", "preferred_channel"]
    search_fields = ["user__username"]
    readonly_fields = ["created_at", "updated_at"]
    raw_id_fields = ["user"]

    @admin.display(description="phone number")
    def masked_number(self, profile):
        return mask_phone_number(profile.phone_number)
