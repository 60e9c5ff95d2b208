from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0003_inboxentry_logged")]

    operations = [
        migrations.AddField(
            model_name="inboxentry",
            name="language",
            field=models.CharField(blank=True, max_length=16),
        ),
    ]
