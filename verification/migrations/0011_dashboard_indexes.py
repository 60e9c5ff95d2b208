"""Indexes for the admin over a million verifications: deliveries by when they were made
(the dashboard's periods, the changelist's order) and verifications by country (the
changelist's country filter and its counts)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('verification', '0010_webhook_attempt_latency_and_excerpt'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='verificationattempt',
            index=models.Index(fields=['country', 'created_at'], name='verif_country_created'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(fields=['created_at'], name='delivery_created'),
        ),
    ]
