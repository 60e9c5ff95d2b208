"""`python manage.py set_phone USERNAME +14155550123`: give an account (an admin made by createsuperuser,
say) the number its sign-in codes go to. The number is verified by the next sign-in: the password, then
the code sent to it."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from verification.contrib.accounts.models import CodeChannel, PhoneProfile
from verification.contrib.accounts.services import number_taken
from verification.exceptions import VerificationError
from verification.phones import mask_phone_number, parse_phone_number


class Command(BaseCommand):
    help = "Set the phone number of an account; its next sign-in sends a code to it, which verifies it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("phone_number", help="E.164 (+14155550123), or national with --country")
        parser.add_argument("--country", help="ISO country for a national number, e.g. US")
        parser.add_argument("--channel", choices=CodeChannel.values, default=CodeChannel.SMS)

    def handle(self, *args, username, phone_number, country, channel, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"No account is named {username!r}.") from None
        try:
            number = parse_phone_number(phone_number, country=country).e164
        except VerificationError as exc:
            raise CommandError(exc.detail) from None
        if number_taken(phone_number=number, user_id=user.pk):
            raise CommandError("This number is already verified by another account.")
        with transaction.atomic():
            profile = PhoneProfile.objects.select_for_update().filter(user=user).first()
            if profile is not None and profile.phone_verified and str(profile.phone_number) == number:
                self.stdout.write(f"{username} already has {mask_phone_number(number)}, verified.")
                return
            if profile is None:
                profile = PhoneProfile(user=user)
            # Unverified until a code sent to it comes back: the password alone never signs in.
            profile.phone_number, profile.phone_verified, profile.pending_phone_number = number, False, ""
            profile.preferred_channel = channel
            profile.save()
        self.stdout.write(
            f"{username}: {mask_phone_number(number)}, not verified yet. Sign in at /accounts/login/ "
            "(or /admin/): after the password a code goes to this number, and entering it verifies it."
        )
