"""`python manage.py create_api_key NAME`: the key is printed once, alone on the last line."""

from django.core.management.base import BaseCommand, CommandError
from rest_framework_api_key.models import APIKey


class Command(BaseCommand):
    help = "Create an API key for the verification API. Only its hash is stored: keep the printed key."

    def add_arguments(self, parser):
        parser.add_argument("name", help="who the key is for, e.g. acme")

    def handle(self, *args, name, **options):
        if not name.strip():
            raise CommandError("The key needs a name.")
        api_key, key = APIKey.objects.create_key(name=name.strip())
        self.stdout.write(f"Created API key {api_key.name!r} (prefix {api_key.prefix}). It is shown only once:")
        self.stdout.write(key)
