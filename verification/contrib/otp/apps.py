from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneVerificationOtpConfig(AppConfig):
    name = "verification.contrib.otp"
    label = "verification_otp"
    verbose_name = _("Phone verification devices (django-otp)")
    default_auto_field = "django.db.models.BigAutoField"
