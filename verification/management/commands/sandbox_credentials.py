"""`python manage.py sandbox_credentials`: the sandbox's auth id and token, for a test harness.

They are the SDK's credentials for the sandbox's Plivo API and, with DEBUG off
(VERIFICATION_SANDBOX_IN_PRODUCTION=1), the HTTP basic auth that its inbox, phone
page and keypad ask for. The token is derived from DJANGO_SECRET_KEY (or is
PLIVO_AUTH_TOKEN when set), so the command must run with the site's settings.
"""

from django.core.management.base import BaseCommand, CommandError

from ...conf import app_settings


class Command(BaseCommand):
    help = "Print the sandbox carrier's auth id and auth token (HTTP basic auth for its inbox and phone)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--basic",
            action="store_true",
            help="print only AUTH_ID:AUTH_TOKEN on one line, e.g. for curl -u \"$(python manage.py sandbox_credentials --basic)\"",
        )

    def handle(self, *args, basic=False, **options):
        if app_settings.CARRIER != "sandbox":
            raise CommandError("VERIFICATION_CARRIER is not the sandbox: there are no sandbox credentials to print.")
        auth_id, auth_token = app_settings.auth_id, app_settings.auth_token
        if basic:
            self.stdout.write(f"{auth_id}:{auth_token}")
            return
        self.stdout.write(f"auth id:    {auth_id}")
        self.stdout.write(f"auth token: {auth_token}")
