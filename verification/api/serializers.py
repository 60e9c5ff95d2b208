"""What the API reads and writes. Input serializers refuse fields they do not know."""

import re
from datetime import timedelta

import phonenumbers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from ..conf import app_settings
from ..exceptions import VerificationError
from ..models import DELIVERY_CHANNELS, Channel, Delivery, DeliveryStatus, VerificationAttempt
from ..phones import parse_phone_number

CODE_REGEX = r"^[0-9]{4,10}$"
CODE = re.compile(CODE_REGEX)
DATETIME = serializers.DateTimeField()  # as every DateTimeField of an answer writes a moment
COUNTRY_REGEX = r"^[A-Za-z]{2}$"


class StrictSerializer(serializers.Serializer):
    """Unknown fields are an error, not silently ignored, reported with every other field's error at once."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, dict):
            unknown = {
                name: [serializers.ErrorDetail(str(_("Unknown field.")), code="unknown_field")]
                for name in sorted(set(data) - set(self.fields))
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class CountryField(serializers.RegexField):
    """Two letters that are a country phonenumbers knows: "ZZ" is named here, not as a number
    that cannot be parsed."""

    def __init__(self, **kwargs):
        super().__init__(COUNTRY_REGEX, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)  # two letters
        if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise serializers.ValidationError("Unknown country: give its ISO 3166 code, e.g. US.", code="invalid")
        return value


def is_known_country(value):
    return isinstance(value, str) and re.fullmatch(COUNTRY_REGEX, value) and value.upper() in phonenumbers.SUPPORTED_REGIONS


class PhoneNumberInput(StrictSerializer):
    """A number checked with the other fields, so a bad number is named beside their errors."""

    def validate_phone_number(self, value):
        country = self.initial_data.get("country") if isinstance(self.initial_data, dict) else None
        if not is_known_country(country):
            country = None  # a bad country has its own error
        try:
            parse_phone_number(value, country=country)
        except VerificationError as exc:
            raise serializers.ValidationError(exc.detail, code=exc.code) from None
        return value


# Examples Swagger UI fills in: each can be sent as it is (tests/api/test_schema_examples.py sends them).
@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "By SMS", value={"phone_number": "+14155550123", "channel": "sms", "locale": "en-US"}, request_only=True
        ),
        OpenApiExample(
            "By voice call, a national number, in French",
            value={"phone_number": "06 12 34 56 78", "country": "FR", "channel": "call", "locale": "fr-FR"},
            request_only=True,
        ),
        OpenApiExample(
            "SMS, then a call if the SMS is not confirmed, limited per end-user address",
            value={"phone_number": "+447400123456", "channel": "auto", "locale": "en-GB", "client_ip": "203.0.113.7"},
            request_only=True,
        ),
    ]
)
class VerificationCreateInput(PhoneNumberInput):
    phone_number = serializers.CharField(max_length=32, help_text="E.164 (+14155550123), or national with `country`.")
    country = CountryField(required=False, help_text="ISO 3166 code for a national number, e.g. US.")
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.AUTO)
    locale = serializers.RegexField(
        r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$", required=False, help_text="e.g. en-US, fr-FR, hi-IN; unsupported ones fall back to en-US."
    )
    client_ip = serializers.IPAddressField(required=False, help_text="The end user's address, for the per-IP limit.")
    status_callback = serializers.URLField(
        required=False, max_length=500, help_text="A URL for this verification's status events (Standard Webhooks)."
    )


class CodeField(serializers.RegexField):
    """A code as the string the person typed: a JSON number is refused (DRF's CharField would
    take 12345 as "12345", losing a leading zero and costing the person a try)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_serializer(examples=[OpenApiExample("The code the person typed", value={"code": "123456"}, request_only=True)])
class CheckInput(StrictSerializer):
    code = CodeField(CODE_REGEX, help_text="The digits the person typed, as a string.")

    @staticmethod
    def plainly_valid(data):
        """The validated data of the body nearly every check sends, `{"code": "<4-10 digits>"}`,
        without building the fields (a third of a millisecond): what they would give it.
        None for any other body, which the serializer judges (and words its errors). This
        class's body only: CheckByNumberInput, which inherits it, does not use it."""
        if type(data) is dict and len(data) == 1:
            code = data.get("code")
            if type(code) is str and CODE.fullmatch(code):
                return {"code": code}
        return None


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "The code, for the number's pending verification",
            value={"phone_number": "+14155550123", "code": "123456"},
            request_only=True,
        )
    ]
)
class CheckByNumberInput(PhoneNumberInput, CheckInput):
    phone_number = serializers.CharField(max_length=32)
    country = CountryField(required=False)


@extend_schema_serializer(examples=[OpenApiExample("The same code, by voice call", value={"channel": "call"}, request_only=True)])
class ResendInput(StrictSerializer):
    channel = serializers.ChoiceField(choices=DELIVERY_CHANNELS, required=False)


# `sending` is ours alone (a worker holds the delivery and is asking the carrier): to its owner
# the delivery is still `queued`, the carrier's own first status, as the contract lists them.
PUBLIC_DELIVERY_STATUS = {DeliveryStatus.SENDING: DeliveryStatus.QUEUED}


def public_delivery_status(status):
    return PUBLIC_DELIVERY_STATUS.get(status, status)


class DeliveryOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=[choice for choice in DeliveryStatus.choices if choice[0] not in PUBLIC_DELIVERY_STATUS], read_only=True
    )

    class Meta:
        model = Delivery
        fields = ["channel", "status", "created_at"]
        read_only_fields = fields  # an answer: all three are always there


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
        # Written out rather than field by field: the same answer as the fields above give
        # (tests/perf/test_hot_paths.py compares them), at a fraction of the cost, on the
        # API's hottest reads.
        data = {
            "id": str(verification.id),
            "phone_number": verification.phone_number.as_e164,
            "country": verification.country,
            "channel": verification.channel,
            "status": verification.status,
            "created_at": DATETIME.to_representation(verification.created_at),
            "expires_at": DATETIME.to_representation(verification.expires_at),
            "checks_remaining": verification.checks_remaining,
            "next_resend_at": self.get_next_resend_at(verification),
            "deliveries": [
                {"channel": d.channel, "status": public_delivery_status(d.status), "created_at": DATETIME.to_representation(d.created_at)}
                for d in verification.deliveries.all()
            ],
        }
        if verification.voice_mode == "keypad":  # never the code, except where the person must see it
            data["keypad_code"] = verification.keypad_code
        return data

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_resend_at(self, verification):
        if not verification.is_pending or verification.last_sent_at is None:
            return None
        moment = verification.last_sent_at + timedelta(seconds=app_settings.RESEND_COOLDOWN_SECONDS)
        return DATETIME.to_representation(moment)


class CheckOutput(serializers.Serializer):
    id = serializers.UUIDField(source="verification.id")
    status = serializers.CharField()
    valid = serializers.BooleanField()
    checks_remaining = serializers.IntegerField()

    def to_representation(self, result):
        # Written out, as VerificationOutput's: what the fields above write (tests/perf compares them).
        status, remaining = result.status, result.checks_remaining
        return {
            "id": str(result.verification.id),
            "status": None if status is None else str(status),
            "valid": bool(result.valid),
            "checks_remaining": None if remaining is None else int(remaining),
        }
