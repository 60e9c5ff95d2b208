"""client.calls.get, live_calls.get, queued_calls.get and messages.get through the real SDK,
against Plivo's documented answers (fixtures/call_detail_record.json and the others)."""

import time
import uuid

import pytest
import requests
from django.urls import reverse
from plivo import exceptions

from verification.contrib.sandbox.models import InboxEntry

from . import urls as test_urls
from .support import ANSWERED, BUSY, NO_ANSWER, documented_shape, finish, fixture, received
from .test_calls import press

CDR = fixture("call_detail_record")
LIVE = fixture("live_call")
QUEUED = fixture("queued_call")
MDR = fixture("message_detail_record")


def as_dict(response):
    """The JSON fields of an SDK response (a Message resource also holds its client)."""
    return {key: value for key, value in vars(response).items() if not key.startswith("_") and key != "client"}


def wait_for_live_call(plivo, call_uuid):
    """The call once it waits for keys (a bound, not a sleep: it polls the sandbox)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            return plivo.live_calls.get(call_uuid)
        except exceptions.ResourceNotFoundError:
            time.sleep(0.05)
    raise AssertionError("the call never went live")


def test_call_detail_record_has_plivos_fields_and_types(place_call, plivo):
    response = place_call(ANSWERED)
    finish()

    record = as_dict(plivo.calls.get(response.request_uuid))
    assert documented_shape(record, CDR["example"]) == []
    assert set(CDR["example"]) - set(record) == {"Stir_attestation", "voice_network_group", "source_ip"}


def test_call_detail_record_matches_the_hangup_callback(place_call, plivo):
    response = place_call(ANSWERED)
    finish()

    record = plivo.calls.get(response.request_uuid)
    [hangup] = received("hangup")
    assert record.call_uuid == response.request_uuid
    assert (str(record.hangup_cause_code), record.hangup_cause_name, record.hangup_source) == (
        hangup["HangupCauseCode"],
        hangup["HangupCauseName"],
        hangup["HangupSource"],
    )
    assert (str(record.call_duration), str(record.billed_duration)) == (hangup["Duration"], hangup["BillDuration"])
    assert (record.total_amount, record.total_rate) == (hangup["TotalCost"], hangup["BillRate"])
    assert (record.to_number, record.call_direction, record.call_state) == (ANSWERED.lstrip("+"), "outbound", "ANSWER")


@pytest.mark.parametrize(("number", "code"), [(NO_ANSWER, 6010), (BUSY, 3010)], ids=["99-ring-timeout", "98-busy"])
def test_call_detail_record_of_an_unanswered_call(place_call, plivo, number, code):
    response = place_call(number)
    finish()

    record = plivo.calls.get(response.request_uuid)
    assert (record.hangup_cause_code, record.answer_time, record.call_duration, record.total_amount) == (
        code,
        None,
        0,
        "0.00000",
    )
    assert not hasattr(record, "call_state")


def test_unknown_call_is_not_found(plivo):
    with pytest.raises(exceptions.ResourceNotFoundError):
        plivo.calls.get(str(uuid.uuid4()))


def test_call_in_progress_has_no_record_yet_but_is_live(sandbox, place_call, plivo):
    response = place_call(ANSWERED, answer="test-keypad", timeout=5)
    live = wait_for_live_call(plivo, response.request_uuid)
    with pytest.raises(exceptions.ResourceNotFoundError):
        plivo.calls.get(response.request_uuid)
    press(sandbox, response.request_uuid, test_urls.CODE)
    finish()

    assert documented_shape(as_dict(live), LIVE["example"]) == []
    assert set(as_dict(live)) == set(LIVE["example"])
    assert (live.call_status, live.call_uuid, live.request_uuid) == ("in-progress", response.request_uuid, response.request_uuid)


def test_ended_call_is_no_longer_live(place_call, plivo):
    response = place_call(ANSWERED)
    finish()

    with pytest.raises(exceptions.ResourceNotFoundError):
        plivo.live_calls.get(response.request_uuid)
    with pytest.raises(exceptions.ResourceNotFoundError):
        plivo.queued_calls.get(response.request_uuid)


def test_queued_call_has_plivos_fields():
    from verification.contrib.sandbox import records

    entry = InboxEntry(channel="call", to_number="+14155550123", from_number="+14155550100")
    assert set(records.queued_call(entry)) | {"api_id"} == set(QUEUED["example"])


def test_message_detail_record_has_plivos_fields_and_types(send_sms, plivo):
    response = send_sms(ANSWERED)
    finish()

    record = as_dict(plivo.messages.get(response.message_uuid[0]))
    assert documented_shape(record, MDR["example"]) == []
    assert set(record) == set(MDR["example"])


def test_message_detail_record_of_a_delivered_sms(send_sms, plivo):
    response = send_sms(ANSWERED, text="Your code is 4071.")
    finish()

    record = plivo.messages.get(response.message_uuid[0])
    assert (record.message_uuid, record.message_state, record.error_code) == (response.message_uuid[0], "delivered", None)
    assert (record.to_number, record.units, record.message_type, record.message_direction) == (
        ANSWERED.lstrip("+"),
        1,
        "sms",
        "outbound",
    )
    assert record.destination_country_iso2 == "US"


def test_message_detail_record_of_an_undelivered_sms_has_its_error_code(send_sms, plivo):
    response = send_sms(NO_ANSWER)
    finish()

    record = plivo.messages.get(response.message_uuid[0])
    assert (record.message_state, record.error_code) == ("undelivered", "20")


def test_message_detail_record_counts_a_long_sms_in_units(send_sms, plivo):
    response = send_sms(ANSWERED, text="x" * 161)
    finish()

    record = plivo.messages.get(response.message_uuid[0])
    assert record.units == 2
    assert record.total_amount == f"{2 * float(record.total_rate):.5f}"


def test_unknown_message_is_not_found(plivo):
    with pytest.raises(exceptions.ResourceNotFoundError):
        plivo.messages.get(str(uuid.uuid4()))


def test_a_call_is_not_a_message(place_call, plivo):
    response = place_call(ANSWERED)
    finish()

    with pytest.raises(exceptions.ResourceNotFoundError):
        plivo.messages.get(response.request_uuid)


def test_lookups_need_the_credentials(sandbox, place_call):
    response = place_call(ANSWERED)
    finish()

    url = sandbox.url + reverse("sandbox:plivo-call-get", args=["MA" + "A" * 18, response.request_uuid])
    assert requests.get(url, timeout=5).status_code == 401
