"""`python manage.py send_verification +14155550123 --channel call`"""

from django.core.management.base import BaseCommand, CommandError

from verification.exceptions import VerificationError
from verification.models import ActorType, Channel
from verification.services import Actor, verification_create, verification_get


class Command(BaseCommand):
    help = "Create a verification for a phone number and deliver its code; prints its id and status."

    def add_arguments(self, parser):
        parser.add_argument("phone_number", help="E.164 (+14155550123), or national with --country")
        parser.add_argument("--channel", choices=Channel.values, default=Channel.AUTO)
        parser.add_argument("--country", help="ISO country for a national number, e.g. US")
        parser.add_argument("--locale", default="en-US", help="language of the call or SMS, e.g. fr-FR")

    def handle(self, *args, phone_number, channel, country, locale, **options):
        try:
            verification = verification_create(
                phone_number=phone_number,
                channel=channel,
                country=country,
                locale=locale,
                actor=Actor(type=ActorType.SYSTEM, name="manage.py send_verification"),
            )
        except VerificationError as exc:
            raise CommandError(exc.detail) from None
        verification = verification_get(verification_id=verification.id)
        self.stdout.write(f"id: {verification.id}")
        self.stdout.write(f"status: {verification.status}")
        for delivery in verification.deliveries.all():
            line = f"delivery: {delivery.channel} {delivery.status}"
            if delivery.error:
                line += f" ({delivery.error})"
            self.stdout.write(line)
