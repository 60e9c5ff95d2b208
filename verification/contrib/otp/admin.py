from django.contrib import admin

from .models import PhoneVerificationDevice


@admin.register(PhoneVerificationDevice)
class PhoneVerificationDeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "phone_number", "channel", "confirmed", "last_used_at"]
    list_filter = ["channel", "confirmed"]
    search_fields = ["name", "user__username", "phone_number"]
    raw_id_fields = ["user"]
    readonly_fields = ["verification_id", "created_at", "last_used_at"]
