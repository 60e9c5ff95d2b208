"""The sandbox's Message API, driven by the real plivo SDK over HTTP."""

import pytest
from plivo import exceptions

from verification.sandbox.models import EntryStatus, InboxEntry

from .support import ANSWERED, NO_ANSWER, REJECTED, SERVER_ERROR, finish, received


def test_message_api_answers_like_plivo(send_sms):
    response = send_sms(ANSWERED)

    assert response.message == "message(s) queued"
    assert len(response.message_uuid) == 1


def test_sms_is_recorded_with_its_text(send_sms):
    response = send_sms(ANSWERED, text="Your code is 4071.")
    finish()

    sms = InboxEntry.objects.get(pk=response.message_uuid[0])
    assert (sms.channel, sms.to_number, sms.text) == ("sms", ANSWERED, "Your code is 4071.")


def test_delivered_sms_posts_a_signed_delivered_status(send_sms):
    response = send_sms(ANSWERED)
    finish()

    # The view is behind plivo_webhook: it saw the request only if the signature was valid.
    [params] = received("sms-status")
    assert params == {
        "MessageUUID": response.message_uuid[0],
        "To": ANSWERED.lstrip("+"),
        "From": params["From"],
        "Status": "delivered",
    }
    assert InboxEntry.objects.get(pk=response.message_uuid[0]).status == EntryStatus.DELIVERED


def test_sms_to_number_ending_in_99_is_undelivered_with_an_error_code(send_sms):
    response = send_sms(NO_ANSWER)
    finish()

    [params] = received("sms-status")
    assert params["Status"] == "undelivered"
    assert params["ErrorCode"]
    assert InboxEntry.objects.get(pk=response.message_uuid[0]).status == EntryStatus.UNDELIVERED


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
