"""A worker killed while it posts a webhook loses no event: the sweeper hands it over again."""

import io

import pytest
from django.core.management import call_command
from rest_framework_api_key.models import APIKey

from tests.faults.conftest import kill_hard
from tests.helpers import wait_for
from tests.webhooks.conftest import receiver  # noqa: F401 - the fixture
from verification import services
from verification.models import WebhookMessage
from verification.tasks import sweep

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_mid_post_loses_no_event(workers, receiver, monkeypatch):  # noqa: F811
    monkeypatch.setattr("verification.services.deliveries.enqueue_delivery", lambda delivery_id: True)  # no carrier
    out = io.StringIO()
    call_command("create_api_key", "acme", "--webhook-url", receiver.url, stdout=out)
    api_key = APIKey.objects.get(name="acme")
    allow = {"VERIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS": "1"}  # the receiver is on 127.0.0.1
    worker = workers(**allow)
    receiver.hold.clear()  # the receiver takes the POST and keeps the worker waiting
    verification = services.verification_create(phone_number="+14155550123", channel="sms", api_key=api_key)
    services.verification_cancel(verification_id=verification.id)
    message = wait_for(lambda: WebhookMessage.objects.filter(event_type="verification.canceled").first())
    wait_for(lambda: receiver.arrived, message="the worker's POST")  # and the receiver does not answer
    kill_hard(worker)
    receiver.hold.set()
    workers(**allow)
    wait_for(lambda: (sweep.apply(), WebhookMessage.objects.get(pk=message.pk).status == "delivered")[1], timeout=60)
    ids = {headers["webhook-id"] for headers, _ in receiver.events("verification.canceled")}
    assert ids == {message.pk}  # the same event, whichever POST got through
