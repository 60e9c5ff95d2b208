from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxConfig(AppConfig):
    """The sandbox carrier: a local stand-in for Plivo's REST API and its calls."""

    name = "verification.contrib.sandbox"
    label = "sandbox"
    verbose_name = _("Sandbox carrier")
    default_auto_field = "django.db.models.BigAutoField"
