from django.conf import settings
from django.db import migrations, models


def refuse_shared_numbers(apps, schema_editor):
    """Say which numbers block the constraint, rather than a bare IntegrityError (nothing is changed)."""
    PhoneProfile = apps.get_model("accounts", "PhoneProfile")
    shared = (
        PhoneProfile.objects.filter(phone_verified=True)
        .values("phone_number")
        .annotate(accounts=models.Count("id"))
        .filter(accounts__gt=1)
    )
    if shared.exists():
        raise RuntimeError(
            f"{shared.count()} number(s) are verified by more than one account. Unset phone_verified on all "
            "but one profile of each (the admin lists them under 'verified'), then migrate again."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_shared_numbers, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="phoneprofile",
            constraint=models.UniqueConstraint(
                condition=models.Q(("phone_verified", True)),
                fields=("phone_number",),
                name="accounts_one_verified_account_per_number",
                violation_error_message="This number is already used by another account.",
            ),
        ),
    ]
