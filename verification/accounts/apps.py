from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signup and login pages whose second factor is a verified phone number."""

    name = "verification.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"
