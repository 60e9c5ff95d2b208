"""two_factor checks its tokens itself: when it accepted one of a phone device, the
relayed verification of that number ends approved (and counts as a conversion for the
fraud guard) instead of waiting for its expiry with the code's ciphertext."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from two_factor.plugins.phonenumber.models import PhoneDevice
from two_factor.signals import user_verified

from ...models import ActorType
from ...net import client_ip
from ...services import Actor, code_confirm


def _confirm(device, user, request=None):
    ip = client_ip(request) if request is not None else None
    code_confirm(phone_number=device.number, actor=Actor(type=ActorType.USER, name=user.get_username(), ip=ip))


@receiver(user_verified, dispatch_uid="verification-two-factor-login")
def login_verified(sender, request, user, device, **kwargs):
    """The login wizard accepted the token of `device`."""
    if isinstance(device, PhoneDevice):
        _confirm(device, user, request)


@receiver(post_save, sender=PhoneDevice, dispatch_uid="verification-two-factor-setup")
def setup_verified(sender, instance, created, **kwargs):
    """The setup wizard saves a phone device, confirmed, once its token was accepted."""
    if created and instance.confirmed and not kwargs.get("raw"):
        _confirm(instance, instance.user)
