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

        self._name_the_api_keys()

    @staticmethod
    def _name_the_api_keys():
        """djangorestframework-api-key names its app and model in plain English: in the admin, in the page's
        language like ours (its migrations keep the same English names, so none is made)."""
        from django.apps import apps

        if not apps.is_installed("rest_framework_api_key"):
            return  # a system check says it is required
        keys = apps.get_app_config("rest_framework_api_key")
        keys.verbose_name = _("API Key Permissions")
        meta = keys.get_model("APIKey")._meta
        meta.verbose_name, meta.verbose_name_plural = _("API key"), _("API keys")
