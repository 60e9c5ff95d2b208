from django.apps import AppConfig


class PhoneVerificationTwoFactorConfig(AppConfig):
    name = "verification.contrib.two_factor"
    label = "verification_two_factor"
    verbose_name = "Phone verification gateways (django-two-factor-auth)"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signals)
