"""`python manage.py create_api_key NAME [--webhook-url URL]`: the key is printed once, alone
on the last line, and its webhook signing secret on the line before: with a URL, for its
events; without one, for the `status_callback` a create may carry (which a key without a
secret could not have signed)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework_api_key.models import APIKey

from verification.conf import app_settings
from verification.webhooks.addresses import WebhookUrlNotAllowed, public_addresses
from verification.webhooks.outbox import endpoint_create


class Command(BaseCommand):
    help = "Create an API key for the verification API. Only its hash is stored: keep the printed key."

    def add_arguments(self, parser):
        parser.add_argument("name", help="who the key is for, e.g. acme")
        parser.add_argument("--webhook-url", default="", help="where this key's status events are POSTed")

    def handle(self, *args, name, webhook_url, **options):
        if not name.strip():
            raise CommandError("The key needs a name.")
        if webhook_url:
            try:
                public_addresses(webhook_url, allow_private=app_settings.WEBHOOK_ALLOW_PRIVATE_HOSTS)
            except WebhookUrlNotAllowed as exc:
                raise CommandError(exc.detail) from None
        with transaction.atomic():
            api_key, key = APIKey.objects.create_key(name=name.strip())
            secret = endpoint_create(api_key=api_key, url=webhook_url)
        self.stdout.write(f"Created API key {api_key.name!r} (prefix {api_key.prefix}). It is shown only once:")
        self.stdout.write(f"webhook secret: {secret}")
        self.stdout.write(key)
