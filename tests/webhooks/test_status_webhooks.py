"""Status webhooks to API consumers (contract section 11), over real HTTP to a receiver."""

import io
import re

import pytest
from django.contrib.admin.utils import quote as admin_quote
from django.core.management import call_command
from rest_framework_api_key.models import APIKey
from standardwebhooks.webhooks import Webhook

from tests.api.conftest import client_for
from tests.helpers import code_of, wait_for
from verification.models import VerificationAttempt, WebhookAttempt, WebhookMessage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hooked(receiver, monkeypatch):
    """An API key made with --webhook-url, its client, and its signing secret."""
    monkeypatch.setattr("verification.services.deliveries.enqueue_delivery", lambda delivery_id: True)  # no carrier
    out = io.StringIO()
    call_command("create_api_key", "acme", "--webhook-url", receiver.url, stdout=out)
    lines = out.getvalue().strip().splitlines()
    return client_for(lines[-1]), lines[-2].removeprefix("webhook secret: ")


# Ids and times are full of digits; a code hidden in them by chance says nothing.
NOISE = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?")


def mentions(raw, code):
    """True if `code` stands in the body as a number of its own."""
    return re.search(rf"(?<!\d){code}(?!\d)", NOISE.sub("", raw)) is not None


def create(api, **extra):
    return api.post("/api/v1/verifications", {"phone_number": "+14155550123", "channel": "sms", **extra}, format="json")


def test_create_api_key_prints_the_webhook_secret_on_the_line_before_the_key(receiver):
    out = io.StringIO()
    call_command("create_api_key", "acme", "--webhook-url", receiver.url, stdout=out)
    *_, secret_line, key_line = out.getvalue().strip().splitlines()
    assert secret_line.startswith("webhook secret: whsec_")
    assert APIKey.objects.get_from_key(key_line).name == "acme"


def test_an_approval_is_posted_signed_with_the_verification_and_never_the_code(receiver, hooked):
    api, secret = hooked
    verification_id = create(api).json()["id"]
    code = code_of(VerificationAttempt.objects.get(pk=verification_id))
    assert api.post(f"/api/v1/verifications/{verification_id}/check", {"code": code}, format="json").status_code == 200
    receiver.wait_for("verification.approved")
    [(headers, body)] = receiver.events("verification.approved")
    raw = next(b for h, b in receiver.requests if h["webhook-id"] == headers["webhook-id"])
    assert Webhook(secret).verify(raw, headers)["data"]["id"] == verification_id  # the spec's own verify
    assert body["data"]["status"] == "approved"
    assert not mentions(raw, code) and "keypad_code" not in body["data"]


def test_a_status_callback_gets_that_verifications_events_too(receiver, hooked, settings):
    api, _ = hooked
    extra_url = receiver.url.replace("/hooks", "/this-one")
    verification_id = create(api, status_callback=extra_url).json()["id"]
    api.post(f"/api/v1/verifications/{verification_id}/cancel")
    receiver.wait_for("verification.canceled", count=2)  # the key's URL and the status_callback
    assert set(WebhookMessage.objects.filter(event_type="verification.canceled").values_list("url", flat=True)) == {
        receiver.url,
        extra_url,
    }


def test_a_failed_answer_is_tried_again_with_the_same_webhook_id(receiver, hooked):
    api, _ = hooked
    receiver.statuses = [500, 503]
    verification_id = create(api).json()["id"]
    api.post(f"/api/v1/verifications/{verification_id}/cancel")
    receiver.wait_for("verification.canceled", count=3)
    ids = {h["webhook-id"] for h, _ in receiver.events("verification.canceled")}
    assert len(ids) == 1
    message = WebhookMessage.objects.get(event_type="verification.canceled")
    wait_for(lambda: WebhookMessage.objects.get(pk=message.pk).status == "delivered", message="delivered")
    assert list(WebhookAttempt.objects.filter(message=message).values_list("status_code", flat=True)) == [500, 503, 200]


def test_after_the_last_attempt_the_message_is_failed(receiver, hooked, settings):
    settings.VERIFICATION_WEBHOOK_MAX_ATTEMPTS = 3
    api, _ = hooked
    receiver.statuses = [500] * 10
    verification_id = create(api).json()["id"]
    api.post(f"/api/v1/verifications/{verification_id}/cancel")
    wait_for(lambda: WebhookMessage.objects.filter(event_type="verification.canceled", status="failed").exists())
    assert WebhookAttempt.objects.filter(message__event_type="verification.canceled").count() == 3


def test_the_request_that_caused_the_event_does_not_wait_for_the_receiver(receiver, hooked):
    api, _ = hooked
    receiver.hold.clear()  # the receiver does not answer until told
    verification_id = create(api).json()["id"]
    response = api.post(f"/api/v1/verifications/{verification_id}/cancel")
    assert response.status_code == 200  # answered while the webhook is still on its way
    assert not receiver.events("verification.canceled")
    receiver.hold.set()
    receiver.wait_for("verification.canceled")


def test_a_status_callback_to_a_private_host_is_refused(receiver, hooked, settings):
    settings.VERIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    api, _ = hooked
    response = create(api, status_callback="http://127.0.0.1:9/hook")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "status_callback"


def test_a_status_callback_needs_a_key_with_a_webhook_secret(receiver, db):
    api = client_for(APIKey.objects.create_key(name="plain")[1])
    response = create(api, status_callback=receiver.url)
    assert response.status_code == 400
    assert "webhook secret" in response.json()["errors"][0]["detail"]


def test_a_key_made_without_a_webhook_url_can_still_give_a_status_callback(receiver, db, monkeypatch):
    monkeypatch.setattr("verification.services.deliveries.enqueue_delivery", lambda delivery_id: True)  # no carrier
    out = io.StringIO()
    call_command("create_api_key", "plain", stdout=out)
    *_, secret_line, key_line = out.getvalue().strip().splitlines()
    api, secret = client_for(key_line), secret_line.removeprefix("webhook secret: ")
    response = create(api, status_callback=receiver.url)
    assert response.status_code == 201, response.content
    api.post(f"/api/v1/verifications/{response.json()['id']}/cancel", {}, format="json")
    receiver.wait_for("verification.canceled")
    headers, _ = receiver.events("verification.canceled")[0]
    assert_signed(secret, headers, raw_body(receiver, headers))


def test_every_attempt_is_listed_in_the_admin_and_an_admin_can_send_it_again(receiver, hooked, admin_client):
    api, _ = hooked
    verification_id = create(api).json()["id"]
    api.post(f"/api/v1/verifications/{verification_id}/cancel")
    receiver.wait_for("verification.canceled")
    message = WebhookMessage.objects.get(event_type="verification.canceled")
    wait_for(lambda: WebhookMessage.objects.get(pk=message.pk).status == "delivered", message="delivered")
    # The admin's own link: a webhook id (msg_<random>) may hold "_2F"-like runs the admin unquotes.
    response = admin_client.get(f"/admin/verification/webhookmessage/{admin_quote(message.pk)}/change/")
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    page = response.content.decode()
    assert "verification.canceled" in page and "200" in page
    assert 'name="_save"' not in page  # what was sent is not edited: a read-only view
    attempt = WebhookAttempt.objects.get(message=message)
    assert attempt.at.strftime("%Y-%m-%d %H:%M:%S") in page  # every attempt to the second
    admin_client.post(
        "/admin/verification/webhookmessage/", {"action": "send_again", "_selected_action": [message.pk]}
    )
    receiver.wait_for("verification.canceled", count=2)
    ids = [h["webhook-id"] for h, _ in receiver.events("verification.canceled")]
    assert ids == [message.pk, message.pk]


def test_a_rotated_secret_and_the_old_one_both_sign_for_a_while(receiver, hooked, admin_client):
    from verification.models import WebhookEndpoint

    api, old_secret = hooked
    endpoint = WebhookEndpoint.objects.get()
    response = admin_client.post(
        "/admin/verification/webhookendpoint/", {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True
    )
    new_secret = next(str(m).split(": ", 1)[1] for m in response.context["messages"] if "shown once" in str(m))
    verification_id = create(api).json()["id"]
    api.post(f"/api/v1/verifications/{verification_id}/cancel")
    receiver.wait_for("verification.canceled")
    headers, _ = receiver.events("verification.canceled")[0]
    raw = next(b for h, b in receiver.requests if h["webhook-id"] == headers["webhook-id"])
    for secret in (old_secret, new_secret):
        Webhook(secret).verify(raw, headers)


def assert_signed(secret, headers, raw):
    """The signature is the one the specification's package makes for this id, time and body."""
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=UTC)
    assert Webhook(secret).sign(headers["webhook-id"], moment, raw) in headers["webhook-signature"].split(" ")


def raw_body(receiver, headers):
    return next(b for h, b in receiver.requests if h["webhook-id"] == headers["webhook-id"])


def test_every_kind_of_end_and_each_final_delivery_arrives_signed_and_never_with_the_code(receiver, hooked, clock, settings):
    from verification import services
    from verification.models import Delivery

    settings.VERIFICATION_MAX_CHECKS = 2
    api, secret = hooked
    codes = []

    def made(number, channel="sms"):
        verification_id = api.post(
            "/api/v1/verifications", {"phone_number": number, "channel": channel}, format="json"
        ).json()["id"]
        codes.append(code_of(VerificationAttempt.objects.get(pk=verification_id)))
        return verification_id

    approved = made("+14155550101")
    api.post(f"/api/v1/verifications/{approved}/check", {"code": codes[-1]}, format="json")
    canceled = made("+14155550102")
    api.post(f"/api/v1/verifications/{canceled}/cancel")
    locked = made("+14155550103")
    for _ in range(2):
        api.post(f"/api/v1/verifications/{locked}/check", {"code": "000000" if codes[-1] != "000000" else "111111"}, format="json")
    failed = made("+14155550104", channel="call")
    services.delivery_record_status(delivery_id=Delivery.objects.get(verification_id=failed).pk, status="busy")
    expired = made("+14155550105")
    clock.advance(601)
    services.verification_expire_due()

    expected = {
        "verification.approved": approved,
        "verification.canceled": canceled,
        "verification.max_attempts_reached": locked,
        "verification.failed": failed,
        "verification.expired": expired,
    }
    for event_type, verification_id in expected.items():
        receiver.wait_for(event_type)
        [(headers, body)] = receiver.events(event_type)
        assert body["data"]["id"] == verification_id
        assert_signed(secret, headers, raw_body(receiver, headers))
    receiver.wait_for("delivery.updated")
    headers, body = receiver.events("delivery.updated")[0]
    assert body["data"]["id"] == failed and body["data"]["deliveries"][0]["status"] == "busy"
    assert_signed(secret, headers, raw_body(receiver, headers))
    for _, raw in receiver.requests:  # no event ever carries a code
        assert not any(mentions(raw, code) for code in codes)
        assert "keypad_code" not in raw


def test_each_step_of_a_real_delivery_is_told_as_delivery_updated(receiver, live_site):
    """Through the real SDK and the sandbox: sent, then delivered, each signed, in order."""
    out = io.StringIO()
    call_command("create_api_key", "acme", "--webhook-url", receiver.url, stdout=out)
    *_, secret_line, key_line = out.getvalue().strip().splitlines()
    api, secret = client_for(key_line), secret_line.removeprefix("webhook secret: ")
    verification_id = create(api).json()["id"]
    receiver.wait_for("delivery.updated", count=2)
    updates = sorted(receiver.events("delivery.updated"), key=lambda event: event[1]["timestamp"])
    assert [body["data"]["deliveries"][0]["status"] for _, body in updates] == ["sent", "delivered"]
    assert {body["data"]["id"] for _, body in updates} == {verification_id}
    for headers, _ in updates:
        assert_signed(secret, headers, raw_body(receiver, headers))


def test_create_api_key_refuses_a_private_webhook_host_and_says_how_to_allow_one(db, settings):
    from django.core.management import CommandError

    settings.VERIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(CommandError, match="is not a public address.*VERIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS=1"):
        call_command("create_api_key", "acme", "--webhook-url", "http://127.0.0.1:18801/hook", stdout=io.StringIO())
    assert not APIKey.objects.exists()
