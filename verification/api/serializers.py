"""What the API reads and writes. Input serializers refuse fields they do not know."""

from datetime import timedelta

from rest_framework import serializers

from ..conf import app_settings
from ..models import DELIVERY_CHANNELS, Channel, Delivery, VerificationAttempt

CODE_REGEX = r"^[0-9]{4,10}$"


class StrictSerializer(serializers.Serializer):
    """Unknown fields are an error, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [serializers.ErrorDetail("Unknown field.", code="unknown_field")] for name in unknown}
                )
        return super().to_internal_value(data)


class VerificationCreateInput(StrictSerializer):
    phone_number = serializers.CharField(max_length=32, help_text="E.164 (+14155550123), or national with `country`.")
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, help_text="ISO 3166 code for a national number.")
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.AUTO)
    locale = serializers.RegexField(
        r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$", required=False, help_text="e.g. en-US, fr-FR, hi-IN; unsupported ones fall back to en-US."
    )
    client_ip = serializers.IPAddressField(required=False, help_text="The end user's address, for the per-IP limit.")
    status_callback = serializers.URLField(
        required=False, max_length=500, help_text="A URL for this verification's status events (Standard Webhooks)."
    )


class CheckInput(StrictSerializer):
    code = serializers.RegexField(CODE_REGEX, help_text="The digits the person typed.")


class CheckByNumberInput(CheckInput):
    phone_number = serializers.CharField(max_length=32)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)


class ResendInput(StrictSerializer):
    channel = serializers.ChoiceField(choices=DELIVERY_CHANNELS, required=False)


class DeliveryOutput(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["channel", "status", "created_at"]


class VerificationOutput(serializers.ModelSerializer):
    phone_number = serializers.CharField(source="phone_number.as_e164", read_only=True)
    checks_remaining = serializers.IntegerField(read_only=True)
    next_resend_at = serializers.SerializerMethodField()
    deliveries = DeliveryOutput(many=True, read_only=True)
    keypad_code = serializers.CharField(
        read_only=True,
        allow_null=True,
        required=False,
        help_text=(
            "Only in a verification made in keypad voice mode, absent from any other: the code to show, "
            "which the person types on the phone during the call; null once the verification is no longer pending."
        ),
    )
    # In the schema, not every answer has these (see VerificationAutoSchema).
    optional_in_response = ("keypad_code",)

    class Meta:
        model = VerificationAttempt
        fields = [
            "id",
            "phone_number",
            "country",
            "channel",
            "status",
            "created_at",
            "expires_at",
            "checks_remaining",
            "next_resend_at",
            "deliveries",
            "keypad_code",
        ]
        read_only_fields = fields  # an answer: in the schema, every field but keypad_code is always there

    def to_representation(self, verification):
        data = super().to_representation(verification)
        if verification.voice_mode != "keypad":
            data.pop("keypad_code")  # never the code, except where the person must see it
        return data

    def get_next_resend_at(self, verification) -> str | None:
        if not verification.is_pending or verification.last_sent_at is None:
            return None
        moment = verification.last_sent_at + timedelta(seconds=app_settings.RESEND_COOLDOWN_SECONDS)
        return serializers.DateTimeField().to_representation(moment)


class CheckOutput(serializers.Serializer):
    id = serializers.UUIDField(source="verification.id")
    status = serializers.CharField()
    valid = serializers.BooleanField()
    checks_remaining = serializers.IntegerField()
