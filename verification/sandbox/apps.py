from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """The sandbox carrier: a local stand-in for Plivo's REST API and its calls."""

    name = "verification.sandbox"
    label = "sandbox"
    verbose_name = "Sandbox carrier"
    default_auto_field = "django.db.models.BigAutoField"
