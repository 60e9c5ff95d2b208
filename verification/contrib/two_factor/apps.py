from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneVerificationTwoFactorConfig(AppConfig):
    name = "verification.contrib.two_factor"
    label = "verification_two_factor"
    verbose_name = _("Phone verification gateways (django-two-factor-auth)")

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signals)
