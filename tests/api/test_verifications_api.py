"""Every row of the contract's API table, success and each error."""

import uuid

import pytest

from tests.helpers import code_of
from verification.models import Delivery, VerificationAttempt

pytestmark = pytest.mark.django_db

URL = "/api/v1/verifications"


def create(api, **body):
    return api.post(URL, {"phone_number": "+14155550123", "channel": "call", **body}, format="json")


def wrong(code):
    return "".join(str((int(d) + 1) % 10) for d in code)


@pytest.fixture
def verification(api):
    response = create(api)
    assert response.status_code == 201
    return VerificationAttempt.objects.get(pk=response.json()["id"])


def assert_error(response, status, code, attr=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["type"] in ("validation_error", "client_error")
    assert body["errors"][0]["code"] == code
    if attr is not None:
        assert body["errors"][0]["attr"] == attr
    return body


# POST /api/v1/verifications


def test_create_answers_201_with_the_verification(api):
    response = create(api, locale="fr-FR")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id", "phone_number", "country", "channel", "status", "created_at", "expires_at",
        "checks_remaining", "next_resend_at", "deliveries",
    }
    assert (body["phone_number"], body["country"], body["channel"], body["status"]) == ("+14155550123", "US", "call", "pending")
    assert body["checks_remaining"] == 5
    assert body["next_resend_at"] is not None
    assert body["deliveries"][0]["channel"] == "call"
    assert set(body["deliveries"][0]) == {"channel", "status", "created_at"}


def test_create_never_returns_the_code(api):
    response = create(api)
    verification = VerificationAttempt.objects.get(pk=response.json()["id"])
    assert code_of(verification) not in response.content.decode()


def test_create_defaults_to_channel_auto(api):
    response = api.post(URL, {"phone_number": "+14155550123"}, format="json")
    assert response.json()["channel"] == "auto"
    assert response.json()["deliveries"][0]["channel"] == "sms"


def test_create_accepts_a_national_number_with_a_country(api):
    response = api.post(URL, {"phone_number": "020 7946 0000", "country": "GB", "channel": "call"}, format="json")
    assert response.status_code == 201
    assert (response.json()["phone_number"], response.json()["country"]) == ("+442079460000", "GB")


def test_create_supersedes_the_pending_verification_for_the_number(api, clock):
    first = create(api).json()
    clock.advance(30)
    create(api)
    assert api.get(f"{URL}/{first['id']}").json()["status"] == "canceled"


def test_create_with_an_invalid_number_names_the_field(api):
    assert_error(create(api, phone_number="+1415"), 400, "invalid_phone_number", "phone_number")


def test_create_without_a_number_names_the_field(api):
    assert_error(api.post(URL, {"channel": "call"}, format="json"), 400, "required", "phone_number")


def test_create_with_an_unknown_channel_names_the_field(api):
    assert_error(create(api, channel="fax"), 400, "invalid_choice", "channel")


def test_create_refuses_unknown_fields(api):
    assert_error(create(api, colour="blue"), 400, "unknown_field", "colour")


def test_create_refuses_a_country_not_allowed(api, settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["US"]
    assert_error(create(api, phone_number="+447400123456"), 400, "country_not_allowed", "phone_number")


def test_create_refuses_sms_to_a_fixed_line(api):
    assert_error(create(api, phone_number="+442079460000", channel="sms"), 400, "channel_not_available", "channel")


def test_create_inside_the_cooldown_is_429_with_retry_after(api, clock):
    create(api)
    clock.advance(12)
    response = create(api)
    assert_error(response, 429, "resend_cooldown")
    assert response["Retry-After"] == "18"


def test_create_past_the_per_ip_cap_is_429(api, settings):
    settings.VERIFICATION_MAX_VERIFICATIONS_PER_IP_PER_HOUR = 1
    create(api, phone_number="+14155550101", client_ip="203.0.113.5")
    response = create(api, phone_number="+14155550102", client_ip="203.0.113.5")
    assert_error(response, 429, "too_many_verifications_from_ip")
    assert int(response["Retry-After"]) > 3500


def test_create_past_the_per_key_cap_is_429(api, other_api, settings):
    settings.VERIFICATION_MAX_VERIFICATIONS_PER_KEY_PER_HOUR = 1
    create(api, phone_number="+14155550101")
    assert_error(create(api, phone_number="+14155550102"), 429, "too_many_verifications_for_key")
    assert create(other_api, phone_number="+14155550103").status_code == 201


def test_create_with_an_invalid_client_ip_names_the_field(api):
    assert_error(create(api, client_ip="not-an-ip"), 400, "invalid", "client_ip")


def test_a_body_over_16_kib_is_refused(api):
    response = api.post(URL, '{"phone_number": "' + "1" * 17000 + '"}', content_type="application/json")
    assert_error(response, 413, "payload_too_large")


def test_malformed_json_is_a_400(api):
    assert_error(api.post(URL, "{not json", content_type="application/json"), 400, "parse_error")


def test_a_json_list_is_a_400(api):
    assert api.post(URL, "[1, 2]", content_type="application/json").status_code == 400


def test_a_request_without_a_key_is_401(client):
    response = client.post(URL, {"phone_number": "+14155550123"}, content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response.json()["type"] == "client_error"


def test_a_wrong_key_is_401(client):
    response = client.post(URL, {}, content_type="application/json", headers={"Authorization": "Api-Key nope.nope"})
    assert response.status_code == 401


def test_a_revoked_key_is_401(api, api_key):
    api_key[0].revoked = True
    api_key[0].save()
    assert create(api).status_code == 401


# GET /api/v1/verifications/{id}


def test_get_answers_200_with_the_verification(api, verification):
    response = api.get(f"{URL}/{verification.id}")
    assert response.status_code == 200
    assert response.json()["id"] == str(verification.id)


def test_get_an_unknown_id_is_404(api):
    assert_error(api.get(f"{URL}/{uuid.uuid4()}"), 404, "not_found")


def test_get_a_malformed_id_is_404(api):
    assert_error(api.get(f"{URL}/not-a-uuid"), 404, "not_found")


def test_get_another_keys_verification_is_404(other_api, verification):
    assert_error(other_api.get(f"{URL}/{verification.id}"), 404, "not_found")


def test_get_shows_an_overdue_verification_as_expired(api, verification, clock):
    clock.advance(601)
    assert api.get(f"{URL}/{verification.id}").json()["status"] == "expired"


# POST /api/v1/verifications/{id}/check


def test_check_with_the_right_code_approves(api, verification):
    response = api.post(f"{URL}/{verification.id}/check", {"code": code_of(verification)}, format="json")
    assert response.status_code == 200
    assert response.json() == {"id": str(verification.id), "status": "approved", "valid": True, "checks_remaining": 0}


def test_check_with_a_wrong_code_says_how_many_remain(api, verification):
    response = api.post(f"{URL}/{verification.id}/check", {"code": wrong(code_of(verification))}, format="json")
    assert response.status_code == 200
    assert response.json()["valid"] is False
    assert response.json()["status"] == "pending"
    assert response.json()["checks_remaining"] == 4


def test_check_a_code_that_is_not_digits_names_the_field(api, verification):
    assert_error(api.post(f"{URL}/{verification.id}/check", {"code": "12ab56"}, format="json"), 400, "invalid", "code")


def test_check_a_code_sent_as_a_json_number_names_the_field_and_costs_no_try(api, verification):
    response = api.post(f"{URL}/{verification.id}/check", {"code": int(wrong(code_of(verification)))}, format="json")
    assert_error(response, 400, "invalid", "code")
    by_number = api.post(f"{URL}/check", {"phone_number": str(verification.phone_number), "code": 123456}, format="json")
    assert_error(by_number, 400, "invalid", "code")
    assert api.get(f"{URL}/{verification.id}").json()["status"] == "pending"
    verification.refresh_from_db()
    assert verification.failed_checks == 0


def test_check_another_keys_verification_is_404(other_api, verification):
    assert_error(other_api.post(f"{URL}/{verification.id}/check", {"code": "123456"}, format="json"), 404, "not_found")


@pytest.mark.parametrize(
    ("end", "code"),
    [
        ("approve", "verification_approved"),
        ("cancel", "verification_canceled"),
        ("expire", "verification_expired"),
        ("exhaust", "max_attempts_reached"),
        ("fail", "verification_failed"),
    ],
)
def test_check_of_an_ended_verification_is_409_naming_why(api, verification, clock, end, code):
    right = code_of(verification)
    if end == "approve":
        api.post(f"{URL}/{verification.id}/check", {"code": right}, format="json")
    elif end == "cancel":
        api.post(f"{URL}/{verification.id}/cancel")
    elif end == "expire":
        clock.advance(600)
    elif end == "exhaust":
        for _ in range(5):
            api.post(f"{URL}/{verification.id}/check", {"code": wrong(right)}, format="json")
    else:
        from verification.services.deliveries import _finish

        _finish(verification.deliveries.get(), "no_answer")
    response = api.post(f"{URL}/{verification.id}/check", {"code": right}, format="json")
    assert_error(response, 409, code)


# POST /api/v1/verifications/check


def test_check_by_phone_number_approves_the_pending_verification(api, verification):
    response = api.post(f"{URL}/check", {"phone_number": "+14155550123", "code": code_of(verification)}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["valid"]) == ("approved", True)


def test_check_by_phone_number_without_a_pending_verification_is_404(api):
    assert_error(api.post(f"{URL}/check", {"phone_number": "+14155550123", "code": "123456"}, format="json"), 404, "not_found")


def test_check_by_phone_number_does_not_see_another_keys_verification(other_api, verification):
    response = other_api.post(f"{URL}/check", {"phone_number": "+14155550123", "code": code_of(verification)}, format="json")
    assert_error(response, 404, "not_found")


# POST /api/v1/verifications/{id}/resend


def test_resend_after_the_cooldown_is_202_with_one_more_delivery(api, verification, clock):
    clock.advance(30)
    response = api.post(f"{URL}/{verification.id}/resend", {"channel": "sms"}, format="json")
    assert response.status_code == 202
    assert [d["channel"] for d in response.json()["deliveries"]] == ["call", "sms"]


def test_resend_inside_the_cooldown_is_429_with_retry_after(api, verification, clock):
    clock.advance(20)
    response = api.post(f"{URL}/{verification.id}/resend", {}, format="json")
    assert_error(response, 429, "resend_cooldown")
    assert response["Retry-After"] == "10"


def test_resend_past_the_hourly_cap_is_429(api, verification, clock, settings):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 2
    clock.advance(30)
    api.post(f"{URL}/{verification.id}/resend", {}, format="json")
    clock.advance(30)
    assert_error(api.post(f"{URL}/{verification.id}/resend", {}, format="json"), 429, "too_many_sends")


def test_resend_of_an_ended_verification_is_409(api, verification, clock):
    api.post(f"{URL}/{verification.id}/cancel")
    clock.advance(30)
    assert_error(api.post(f"{URL}/{verification.id}/resend", {}, format="json"), 409, "verification_canceled")


def test_resend_with_an_unknown_channel_names_the_field(api, verification):
    assert_error(api.post(f"{URL}/{verification.id}/resend", {"channel": "auto"}, format="json"), 400, "invalid_choice", "channel")


# POST /api/v1/verifications/{id}/cancel


def test_cancel_answers_200_with_status_canceled(api, verification):
    response = api.post(f"{URL}/{verification.id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "canceled"


def test_cancel_twice_is_409(api, verification):
    api.post(f"{URL}/{verification.id}/cancel")
    assert_error(api.post(f"{URL}/{verification.id}/cancel"), 409, "verification_canceled")


def test_cancel_another_keys_verification_is_404(other_api, verification):
    assert_error(other_api.post(f"{URL}/{verification.id}/cancel"), 404, "not_found")


# The API's method rules


def test_a_get_on_check_is_405(api, verification):
    assert api.get(f"{URL}/{verification.id}/check").status_code == 405


# Schema and docs


def test_the_openapi_document_is_served(client):
    response = client.get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert "/api/v1/verifications/{verification_id}/check" in response.content.decode()


def test_swagger_ui_is_served_from_our_own_static_files(client):
    body = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in body
    assert "cdn" not in body.lower() and "unpkg" not in body.lower() and "jsdelivr" not in body.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body


def test_an_expired_key_is_401(api, api_key):
    import datetime as dt

    from django.utils import timezone

    api_key[0].expiry_date = timezone.now() - dt.timedelta(minutes=1)
    api_key[0].save()
    assert create(api).status_code == 401


def test_a_non_geographic_number_names_the_field(api):
    assert_error(create(api, phone_number="+80012345678"), 400, "invalid_phone_number", "phone_number")


@pytest.mark.parametrize("number", ["+14155550166 ext. 12", "+1 415 555 0166 x12", "+14155550166;ext=12"])
def test_a_number_with_an_extension_is_refused_not_cut_short(api, number):
    response = create(api, phone_number=number)
    assert_error(response, 400, "invalid_phone_number", "phone_number")
    assert "extension" in response.json()["errors"][0]["detail"]


def test_a_delivery_a_worker_is_sending_reads_as_queued(api):
    """`sending` is the service's own claim on a delivery, not one of the contract's statuses."""
    created = create(api).json()
    Delivery.objects.filter(verification_id=created["id"]).update(status="sending")
    assert [d["status"] for d in api.get(f"{URL}/{created['id']}").json()["deliveries"]] == ["queued"]
    document = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    enum = document["components"]["schemas"]["DeliveryOutputStatusEnum"]["enum"]
    assert "sending" not in enum and "queued" in enum


def test_deeply_nested_json_is_a_400_not_a_500(api):
    body = "[" * 5000 + "]" * 5000
    assert api.post(URL, body, content_type="application/json").status_code == 400
