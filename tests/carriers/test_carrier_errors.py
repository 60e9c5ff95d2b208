"""What the Plivo REST backend makes of each kind of carrier failure."""

import pytest

from tests.carriers import urls as fixed_status
from tests.helpers import wait_for
from verification import services
from verification.carriers import CarrierRejected, CarrierUnavailable
from verification.carriers.base import CallRequest
from verification.carriers.plivo_rest import PlivoRestCarrier
from verification.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)

CALL = CallRequest(to="+14155550123", answer_url="https://example.test/a", hangup_url="https://example.test/h")


@pytest.fixture
def fixed_status_carrier(live_server, settings):
    fixed_status.REQUESTS.clear()
    settings.ROOT_URLCONF = "tests.carriers.urls"
    settings.VERIFICATION_SANDBOX_API_URL = f"{live_server.url}/fixed-status"
    return PlivoRestCarrier.from_settings()


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_rate_limits_and_server_errors_are_temporary(fixed_status_carrier, status, monkeypatch):
    monkeypatch.setitem(fixed_status.STATUS, "code", status)
    with pytest.raises(CarrierUnavailable):
        fixed_status_carrier.place_call(CALL)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_one_request_not_the_sdks_own_three(fixed_status_carrier, status, monkeypatch, capsys):
    """Our backoff decides about a second try; the SDK's 'Fallback for URL' loop would POST twice more."""
    monkeypatch.setitem(fixed_status.STATUS, "code", status)
    with pytest.raises(CarrierUnavailable):
        fixed_status_carrier.place_call(CALL)
    assert len(fixed_status.REQUESTS) == 1
    assert "Fallback for URL" not in capsys.readouterr().out


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 405, 409, 413, 422])
def test_client_errors_are_permanent(fixed_status_carrier, status, monkeypatch):
    monkeypatch.setitem(fixed_status.STATUS, "code", status)
    with pytest.raises(CarrierRejected):
        fixed_status_carrier.place_call(CALL)


def test_a_network_error_is_temporary(settings):
    settings.VERIFICATION_SANDBOX_API_URL = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(CarrierUnavailable, match="Network error"):
        PlivoRestCarrier.from_settings().place_call(CALL)


def test_a_carrier_answering_429_is_retried_then_the_delivery_fails(fixed_status_carrier, settings, monkeypatch):
    monkeypatch.setitem(fixed_status.STATUS, "code", 429)
    settings.VERIFICATION_DELIVERY_MAX_RETRIES = 2
    verification = services.verification_create(phone_number="+14155550123", channel="call")
    # The retries run after their backoff (a timer, in eager mode), not inside the create.
    delivery = wait_for(
        lambda: Delivery.objects.filter(verification=verification, status="failed").first(), message="the delivery failed"
    )
    verification.refresh_from_db()
    assert delivery.tries == 3
    assert verification.status == "failed"


def test_a_read_timeout_is_an_unknown_outcome_not_a_retry(live_server, settings, monkeypatch):
    """The request reached the carrier; a retry could place a second call."""
    from verification.carriers import CarrierOutcomeUnknown

    monkeypatch.setitem(fixed_status.STATUS, "code", 201)
    monkeypatch.setattr(fixed_status, "DELAY", 2.0, raising=False)
    settings.ROOT_URLCONF = "tests.carriers.urls"
    settings.VERIFICATION_SANDBOX_API_URL = f"{live_server.url}/fixed-status"
    settings.VERIFICATION_CARRIER_TIMEOUT_SECONDS = 0.5
    with pytest.raises(CarrierOutcomeUnknown):
        PlivoRestCarrier.from_settings().place_call(CALL)
