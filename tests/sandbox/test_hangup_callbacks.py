"""The sandbox's hangup callbacks against Plivo's documentation (fixtures/hangup_*.json)."""

from decimal import Decimal

import pytest

from .support import ANSWERED, BUSY, NO_ANSWER, finish, fixture, received

CALLBACK = fixture("hangup_callback")
CAUSES = fixture("hangup_causes")


def hangup_of(place_call, number, **kwargs):
    response = place_call(number, **kwargs)
    finish()
    [params] = received("hangup")
    return response, params


def test_hangup_callback_carries_every_field_plivo_documents(place_call):
    _, params = hangup_of(place_call, ANSWERED)

    assert set(params) == set(CALLBACK["example"])


def test_hangup_callback_values_are_strings_in_plivos_formats(place_call):
    _, params = hangup_of(place_call, ANSWERED)

    for name in ("StartTime", "AnswerTime", "EndTime"):
        assert len(params[name]) == len(CALLBACK["example"][name]), name
    assert params["CallStatus"] in CALLBACK["call_statuses"]
    assert params["HangupCauseCode"].isdigit()


def test_call_uuid_is_the_request_uuid(place_call):
    response, params = hangup_of(place_call, ANSWERED)

    assert params["CallUUID"] == params["RequestUUID"] == response.request_uuid
    assert [answer["CallUUID"] for answer in received("answer")] == [response.request_uuid]


def test_an_outbound_call_is_its_own_a_leg(place_call):
    response, params = hangup_of(place_call, ANSWERED)

    assert params["ALegUUID"] == params["ALegRequestUUID"] == response.request_uuid


def test_hangup_element_ends_the_call_with_normal_hangup_from_answer_xml(place_call):
    _, params = hangup_of(place_call, ANSWERED, answer="test-redirect")  # -> test-code, ends in <Hangup/>

    assert (params["HangupCauseCode"], params["HangupCauseName"], params["HangupSource"]) == (
        "4000",
        "Normal Hangup",
        "Answer XML",
    )
    assert (params["CallStatus"], params["HangupCause"]) == ("completed", "NORMAL_CLEARING")


def test_xml_that_runs_out_ends_the_call_with_end_of_xml_instructions_from_plivo(place_call):
    _, params = hangup_of(place_call, ANSWERED, answer="test-typed")  # a <Speak> and nothing after

    assert (params["HangupCauseCode"], params["HangupCauseName"], params["HangupSource"]) == (
        "4010",
        "End Of XML Instructions",
        "Plivo",
    )


def test_unanswered_call_ends_with_ring_timeout_reached_from_plivo(place_call):
    _, params = hangup_of(place_call, NO_ANSWER)

    assert (params["HangupCauseCode"], params["HangupCauseName"], params["HangupSource"]) == (
        "6010",
        "Ring Timeout Reached",
        "Plivo",
    )
    assert (params["CallStatus"], params["HangupCause"], params["AnswerTime"]) == ("no-answer", "NO_ANSWER", "")


def test_busy_call_ends_with_busy_line_from_the_carrier(place_call):
    _, params = hangup_of(place_call, BUSY)

    assert (params["HangupCauseCode"], params["HangupCauseName"], params["HangupSource"]) == (
        "3010",
        "Busy Line",
        "Carrier",
    )
    assert (params["CallStatus"], params["HangupCause"]) == ("busy", "USER_BUSY")


def test_unreachable_answer_url_ends_with_error_reaching_answer_url(place_call):
    _, params = hangup_of(place_call, ANSWERED, answer="test-broken")

    assert (params["HangupCauseCode"], params["HangupCauseName"], params["HangupSource"]) == (
        "7011",
        "Error Reaching Answer URL",
        "Error",
    )


def test_answer_url_without_plivo_xml_ends_with_invalid_answer_xml(place_call):
    _, params = hangup_of(place_call, ANSWERED, answer="test-not-xml")

    assert (params["HangupCauseCode"], params["HangupCauseName"], params["HangupSource"]) == (
        "8011",
        "Invalid Answer XML",
        "Error",
    )


def test_unreachable_redirect_url_ends_with_error_reaching_redirect_url(place_call):
    _, params = hangup_of(place_call, ANSWERED, answer="test-redirect-broken")

    assert (params["HangupCauseCode"], params["HangupCauseName"]) == ("7014", "Error Reaching Redirect URL")


@pytest.mark.parametrize(
    ("number", "answer"),
    [
        (ANSWERED, "test-answer"),
        (ANSWERED, "test-redirect"),
        (ANSWERED, "test-broken"),
        (ANSWERED, "test-not-xml"),
        (NO_ANSWER, "test-answer"),
        (BUSY, "test-answer"),
    ],
)
def test_every_cause_sent_is_on_plivos_list_with_a_source_plivo_gives_it(place_call, number, answer):
    _, params = hangup_of(place_call, number, answer=answer)

    code = params["HangupCauseCode"]
    assert CAUSES["causes"][code] == params["HangupCauseName"]
    assert params["HangupSource"] in CAUSES["possible_sources"][code]


def test_bill_duration_is_the_started_minute_and_total_cost_its_price(place_call):
    _, params = hangup_of(place_call, ANSWERED)

    assert int(params["Duration"]) >= 1
    assert params["BillDuration"] == "60"
    assert Decimal(params["TotalCost"]) == Decimal(params["BillRate"]) * int(params["BillDuration"]) / 60
    assert len(params["BillRate"].split(".")[1]) == 5  # Plivo writes money with five decimals


def test_an_unanswered_call_costs_nothing(place_call):
    _, params = hangup_of(place_call, NO_ANSWER)

    assert (params["Duration"], params["BillDuration"], params["TotalCost"]) == ("0", "0", "0.00000")
