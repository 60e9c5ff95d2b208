"""The sandbox's Message API, driven by the real plivo SDK over HTTP."""

from decimal import Decimal

import pytest
from plivo import exceptions

from verification.contrib.sandbox.models import EntryStatus, InboxEntry

from .support import ANSWERED, BUSY, NO_ANSWER, REJECTED, SERVER_ERROR, finish, fixture, methods, received

STATUS_CALLBACK = fixture("message_status_callback")


def test_message_api_answers_like_plivo(send_sms):
    response = send_sms(ANSWERED)

    assert response.message == "message(s) queued"
    assert len(response.message_uuid) == 1


def test_sms_is_recorded_with_its_text(send_sms):
    response = send_sms(ANSWERED, text="Your code is 4071.")
    finish()

    sms = InboxEntry.objects.get(pk=response.message_uuid[0])
    assert (sms.channel, sms.to_number, sms.text) == ("sms", ANSWERED, "Your code is 4071.")


def test_delivered_sms_posts_queued_sent_then_delivered_in_sequence(send_sms):
    response = send_sms(ANSWERED)
    finish()

    # The view is behind plivo_webhook: it saw the request only if the signature was valid.
    callbacks = received("sms-status")
    assert [(params["Status"], params["Sequence"]) for params in callbacks] == [
        ("queued", "1"),
        ("sent", "2"),
        ("delivered", "3"),
    ]
    assert [params["Status"] for params in callbacks] == STATUS_CALLBACK["sequences"]["delivered"]
    assert {params["MessageUUID"] for params in callbacks} == {response.message_uuid[0]}
    assert InboxEntry.objects.get(pk=response.message_uuid[0]).status == EntryStatus.DELIVERED


def test_sms_status_callbacks_carry_only_fields_plivo_documents(send_sms):
    send_sms(ANSWERED)
    finish()

    for params in received("sms-status"):
        assert set(params) <= set(STATUS_CALLBACK["fields"])
        assert params["Status"] in STATUS_CALLBACK["statuses"]


def test_sms_status_callbacks_carry_plivos_fields(send_sms):
    response = send_sms(ANSWERED, text="Your code is 4071.")
    finish()

    *_, delivered = received("sms-status")
    assert delivered["To"] == ANSWERED.lstrip("+")
    assert delivered["ParentMessageUUID"] == delivered["MessageUUID"] == response.message_uuid[0]
    assert (delivered["Type"], delivered["Units"], delivered["MCC"], delivered["MNC"]) == ("sms", "1", "001", "01")
    assert Decimal(delivered["TotalAmount"]) == Decimal(delivered["TotalRate"]) * int(delivered["Units"])
    assert "ErrorCode" not in delivered  # only on failed or undelivered messages


def test_sms_status_times_follow_the_steps(send_sms):
    send_sms(ANSWERED)
    finish()

    queued, sent, delivered = received("sms-status")
    assert queued["MessageTime"] == queued["QueuedTime"] == delivered["MessageTime"]
    assert (queued["SentTime"], queued["DeliveryReportTime"]) == ("", "")
    assert sent["SentTime"] and not sent["DeliveryReportTime"]
    assert delivered["DeliveryReportTime"] >= delivered["SentTime"] >= delivered["QueuedTime"]
    assert len(delivered["MessageTime"]) == len("2024-08-21 18:28:49.244057")


def test_sms_to_number_ending_in_99_is_undelivered_with_an_error_code(send_sms):
    response = send_sms(NO_ANSWER)
    finish()

    callbacks = received("sms-status")
    assert [params["Status"] for params in callbacks] == STATUS_CALLBACK["sequences"]["undelivered"]
    assert callbacks[-1]["ErrorCode"] in STATUS_CALLBACK["error_codes"]
    assert InboxEntry.objects.get(pk=response.message_uuid[0]).status == EntryStatus.UNDELIVERED


def test_sms_to_number_ending_in_98_fails_before_the_carrier(send_sms):
    response = send_sms(BUSY)
    finish()

    callbacks = received("sms-status")
    assert [params["Status"] for params in callbacks] == STATUS_CALLBACK["sequences"]["failed"]
    assert callbacks[-1]["ErrorCode"] in STATUS_CALLBACK["error_codes"]
    assert callbacks[-1]["SentTime"] == ""
    assert InboxEntry.objects.get(pk=response.message_uuid[0]).status == EntryStatus.FAILED


def test_sms_status_method_get_is_honoured(send_sms):
    send_sms(ANSWERED, method="GET")
    finish()

    assert methods("sms-status") == ["GET", "GET", "GET"]


def test_sms_to_number_ending_in_97_is_rejected_by_the_api(send_sms):
    with pytest.raises(exceptions.ValidationError):
        send_sms(REJECTED)

    assert not InboxEntry.objects.exists()


def test_sms_to_number_ending_in_96_is_an_api_server_error(send_sms):
    with pytest.raises(exceptions.PlivoServerError):
        send_sms(SERVER_ERROR)

    assert not InboxEntry.objects.exists()


def test_sms_with_wrong_credentials_is_refused(plivo, send_sms):
    plivo.session.auth = (plivo.session.auth[0], "not-the-token")

    with pytest.raises(exceptions.AuthenticationError):
        send_sms(ANSWERED)


def test_the_message_api_records_log_as_the_sdk_sends_it(send_sms):
    # The SDK's messages.create sends log="true" unless told otherwise, always as a string.
    logged = send_sms(ANSWERED)
    unlogged = send_sms(ANSWERED, log="false")
    finish()

    assert InboxEntry.objects.get(pk=logged.message_uuid[0]).logged is True
    assert InboxEntry.objects.get(pk=unlogged.message_uuid[0]).logged is False


def test_a_log_that_is_neither_true_nor_false_is_refused(plivo):
    # The SDK checks the type (a str) but not the value; the API answers 400, as for any bad parameter.
    with pytest.raises(exceptions.ValidationError, match="'log'"):
        plivo.messages.create(src="+14155550100", dst=ANSWERED, text="Your code is 4071.", log="maybe")
    assert not InboxEntry.objects.exists()
