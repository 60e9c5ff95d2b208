from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Verification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The system checks, and the receivers that drop a saved or deleted API key from the
        # cache, in every process (the admin's too, which never authenticates an API request).
        from . import checks  # noqa: F401
        from .api import authentication  # noqa: F401
