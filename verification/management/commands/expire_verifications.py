from django.core.management.base import BaseCommand

from verification.services import verification_expire_due


class Command(BaseCommand):
    help = "Expire every pending verification whose time ran out (Celery beat does this every minute)."

    def handle(self, *args, **options):
        self.stdout.write(f"expired: {verification_expire_due()}")
