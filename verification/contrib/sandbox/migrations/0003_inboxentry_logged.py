from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sandbox", "0002_plivo_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboxentry",
            name="logged",
            field=models.BooleanField(default=True),
        ),
    ]
