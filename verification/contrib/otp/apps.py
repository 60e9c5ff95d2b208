from django.apps import AppConfig


class PhoneVerificationOtpConfig(AppConfig):
    name = "verification.contrib.otp"
    label = "verification_otp"
    verbose_name = "Phone verification devices (django-otp)"
    default_auto_field = "django.db.models.BigAutoField"
