"""Thin API views: parse with a serializer, call a service, answer with a serializer."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema as extend_class_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..models import ActorType, Delivery, VerificationAttempt
from ..net import client_ip
from ..services import statements
from .authentication import ApiKeyAuthentication, HasApiKey
from .errors import exception_handler
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import KEY_MAX_LENGTH, KEY_PATTERN, idempotent
from .parsers import LimitedJSONParser
from .schema import VerificationAutoSchema, extend_schema
from .serializers import (
    CheckByNumberInput,
    CheckInput,
    CheckOutput,
    ResendInput,
    VerificationCreateInput,
    VerificationOutput,
)

PLAIN_ACCEPTS = ("*/*", JSONRenderer.media_type)


class ApiView(APIView):
    """The API's own policy, whatever the site's REST_FRAMEWORK defaults are (the app may be
    installed in a site with other APIs): API-key authentication, the size-limited JSON
    parser, JSON out, and errors in the drf-standardized-errors shape with our codes."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]
    schema = VerificationAutoSchema()

    def get_exception_handler(self):
        return exception_handler

    def perform_content_negotiation(self, request, force=False):
        # What DRF's negotiation picks for the requests nearly every client sends (no Accept,
        # `*/*` or `application/json`; no `?format=`), without parsing the header; any other
        # request is negotiated as DRF negotiates it (a 406 for what we cannot write).
        if (
            self.renderer_classes == [JSONRenderer]
            and request.META.get("HTTP_ACCEPT", "*/*") in PLAIN_ACCEPTS
            and not request.META.get("QUERY_STRING")
            and not self.format_kwarg
        ):
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)


def api_actor(request):
    return services.Actor(type=ActorType.API_KEY, name=request.auth.name, ip=client_ip(request))


def deliveries():
    return Prefetch("deliveries", queryset=Delivery.objects.order_by("created_at"))


def key_verifications(request):
    """A key sees only the verifications it created (a check's row lock reads no deliveries)."""
    return VerificationAttempt.objects.filter(api_key=request.auth)


def own_verifications(request):
    """The key's verifications, with their deliveries for the answer."""
    return key_verifications(request).prefetch_related(deliveries())


def validated(serializer_class, request, *, plainly_valid=None):
    """The body's validated data; `plainly_valid(body)` may give it first, without the serializer."""
    data = plainly_valid(request.data) if plainly_valid is not None else None
    if data is not None:
        return data
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def verification_response(request, verification, status_code=status.HTTP_200_OK):
    verification = own_verifications(request).get(pk=verification.pk)  # fresh, with its deliveries
    return Response(VerificationOutput(verification).data, status=status_code)


class VerificationCreateApi(ApiView):
    @extend_schema(
        request=VerificationCreateInput,
        responses={201: VerificationOutput},
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH, "pattern": KEY_PATTERN},
                OpenApiParameter.HEADER,
                required=False,
                description="Any 1 to 255 printable ASCII characters (a UUID is best): a retry with it sends nothing more.",
            )
        ],
        summary="Start a verification (supersedes the number's pending one)",
    )
    def post(self, request):
        data = validated(VerificationCreateInput, request)

        def create():
            verification = services.verification_create(
                phone_number=data["phone_number"],
                country=data.get("country"),
                channel=data["channel"],
                locale=data.get("locale"),
                client_ip=data.get("client_ip"),
                api_key=request.auth,
                actor=api_actor(request),
                status_callback=data.get("status_callback", ""),
            )
            # The answer from what was just written: the row as saved, and its delivery.
            statements.attach_deliveries(verification, verification.deliveries_written)
            return Response(VerificationOutput(verification).data, status=status.HTTP_201_CREATED)

        return idempotent(request, create)


class VerificationDetailApi(ApiView):
    @extend_schema(responses={200: VerificationOutput}, summary="Read a verification")
    def get(self, request, verification_id):
        verification = services.verification_read(verification_id=verification_id, api_key=request.auth)
        return Response(VerificationOutput(verification).data)


class VerificationCheckApi(ApiView):
    @extend_schema(request=CheckInput, responses={200: CheckOutput}, summary="Check a code", operation_id="verifications_check")
    def post(self, request, verification_id):
        data = validated(CheckInput, request, plainly_valid=CheckInput.plainly_valid)
        result = services.verification_check(
            verification_id=verification_id, code=data["code"], actor=api_actor(request), api_key=request.auth
        ).raise_if_refused()
        return Response(CheckOutput(result).data)


class VerificationCheckByNumberApi(ApiView):
    @extend_schema(
        request=CheckByNumberInput,
        responses={200: CheckOutput},
        summary="Check a code for a number's pending verification",
        operation_id="verifications_check_by_phone_number",
    )
    def post(self, request):
        data = validated(CheckByNumberInput, request)
        scope = key_verifications(request)
        verification = services.verification_pending_for_number(
            phone_number=data["phone_number"], country=data.get("country"), scope=scope
        )
        result = services.verification_check(
            verification_id=verification.id, code=data["code"], actor=api_actor(request), api_key=request.auth
        ).raise_if_refused()
        return Response(CheckOutput(result).data)


class VerificationResendApi(ApiView):
    @extend_schema(request=ResendInput, responses={202: VerificationOutput}, summary="Deliver the same code again")
    def post(self, request, verification_id):
        data = validated(ResendInput, request)
        outcome = services.verification_resend(
            verification_id=verification_id,
            channel=data.get("channel"),
            actor=api_actor(request),
            scope=own_verifications(request),
        ).raise_if_refused()
        return verification_response(request, outcome.verification, status.HTTP_202_ACCEPTED)


class VerificationCancelApi(ApiView):
    @extend_schema(request=None, responses={200: VerificationOutput}, summary="Cancel a pending verification")
    def post(self, request, verification_id):
        outcome = services.verification_cancel(
            verification_id=verification_id, actor=api_actor(request), scope=own_verifications(request)
        ).raise_if_refused()
        return verification_response(request, outcome.verification)


@extend_class_schema(exclude=True)
class UnknownPathApi(ApiView):
    """Any path under /api/v1/ that is none of the above (a trailing slash, a typo): the
    API's 404 in its JSON shape, for any method and with or without a key, where Django
    would answer its HTML page."""

    authentication_classes = []
    permission_classes = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound("No such endpoint. The API's endpoints are listed at /api/v1/docs/.")
