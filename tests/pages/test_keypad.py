"""/accounts/verify/ in keypad mode: the page shows the code, the phone types it, the page follows."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.pages.support import flow_of, flow_verification, login_password, make_user
from verification import services
from verification.models import ActorType, AuditEvent, VerificationAttempt

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/verify/"
STATUS = "/accounts/verify/status/"
CONTINUE = "/accounts/verify/continue/"
PHONE = services.Actor(type=ActorType.PHONE, name="the call")


@pytest.fixture(autouse=True)
def keypad(settings):
    settings.VERIFICATION_VOICE_MODE = "keypad"


@pytest.fixture
def at_keypad_step(client, db):
    """A sign-in past the password, its code on the way by a keypad call."""
    make_user("ada", channel="call")
    assert login_password(client).status_code == 302
    verification = flow_verification(client)
    assert verification.voice_mode == "keypad"
    return verification


def typed_on_the_phone(verification, code=None):
    """The digits the call's GetDigits would send, checked as the phone."""
    return services.verification_check(
        verification_id=verification.id, code=code or verification.keypad_code, actor=PHONE
    )


def body(response):
    return response.content.decode()


def test_the_page_shows_the_code_to_type_on_the_phone_and_no_code_field(client, at_keypad_step):
    page = body(client.get(VERIFY))
    code = at_keypad_step.keypad_code
    assert "Answer the call and type this code on your phone's keypad, then press #." in page
    assert f'role="img" aria-label="Your code: {" ".join(code)}"' in page
    assert "".join(f'<span aria-hidden="true">{digit}</span>' for digit in code) in page
    assert 'name="code"' not in page and "one-time-code" not in page
    assert f'data-status-url="{STATUS}"' in page and "I've typed it — continue" in page
    assert '<script src="/static/accounts/verify.js" defer>' in page


def test_the_page_offers_another_call_but_no_switch_to_sms(client, at_keypad_step):
    page = body(client.get(VERIFY))
    assert "Call me again" in page
    assert 'value="sms"' not in page and "text message" not in page


def test_an_sms_code_step_is_not_keypad_even_in_keypad_mode(client, db):
    make_user("ada", channel="sms")
    login_password(client)
    page = body(client.get(VERIFY))
    assert 'autocomplete="one-time-code"' in page and "keypad" not in page


def test_the_status_endpoint_says_only_the_status(client, at_keypad_step):
    response = client.get(STATUS)
    assert response.status_code == 200 and json.loads(response.content) == {"status": "pending"}
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    typed_on_the_phone(at_keypad_step)
    assert json.loads(client.get(STATUS).content) == {"status": "approved"}


def test_the_status_endpoint_answers_only_the_session_with_the_code_step(client, at_keypad_step):
    response = Client().get(STATUS)
    assert response.status_code == 404 and json.loads(response.content) == {"status": None}


def test_the_status_endpoint_is_a_get(client, at_keypad_step):
    assert client.post(STATUS).status_code == 405


def test_continue_before_the_phone_sent_the_code_says_to_type_it(client, at_keypad_step):
    response = client.post(CONTINUE, follow=True)
    assert response.redirect_chain == [(VERIFY, 302)]
    assert "Your phone has not sent the code yet." in body(response)
    assert "_auth_user_id" not in client.session and flow_of(client) is not None


def test_continue_after_the_phone_sent_the_code_signs_in(client, at_keypad_step):
    typed_on_the_phone(at_keypad_step)
    response = client.post(CONTINUE, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert "You are signed in." in body(response)
    assert client.session["_auth_user_id"] == str(get_user_model().objects.get(username="ada").pk)
    assert flow_of(client) is None


def test_continue_finishes_a_signup(client, db):
    response = client.post(
        "/accounts/signup/",
        {"username": "grace", "password": "correct horse battery staple", "country": "US",
         "phone_number": "+14155550142", "channel": "call"},
    )
    assert response["Location"] == VERIFY
    typed_on_the_phone(flow_verification(client))
    response = client.post(CONTINUE, follow=True)
    assert "Your phone number is verified. Welcome!" in body(response)
    grace = get_user_model().objects.get(username="grace")
    assert grace.is_active and grace.phone_profile.phone_verified


def test_continue_changes_the_number(client, db):
    user = make_user("ada", channel="call")
    client.force_login(user)
    client.post("/accounts/profile/phone/", {"country": "US", "phone_number": "+14155550177"})
    typed_on_the_phone(flow_verification(client))
    response = client.post(CONTINUE, follow=True)
    assert "Your phone number is now +1 415 ••• ••77." in body(response)
    user.phone_profile.refresh_from_db()
    assert str(user.phone_profile.phone_number) == "+14155550177"


def test_after_the_phone_sent_the_code_the_page_offers_to_continue(client, at_keypad_step):
    typed_on_the_phone(at_keypad_step)
    page = body(client.get(VERIFY))
    assert "Your phone sent the right code." in page and f'action="{CONTINUE}"' in page
    assert "This code was already used." not in page


def test_a_code_posted_to_the_page_is_refused_and_counts_for_nothing(client, at_keypad_step):
    response = client.post(VERIFY, {"code": at_keypad_step.keypad_code}, follow=True)
    assert response.redirect_chain == [(VERIFY, 302)]
    assert "This code is not typed here: answer the call and type it on your phone" in body(response)
    at_keypad_step.refresh_from_db()
    assert (at_keypad_step.status, at_keypad_step.failed_checks) == ("pending", 0)
    assert not AuditEvent.objects.filter(verification=at_keypad_step, event="check").exists()
    assert "_auth_user_id" not in client.session


def test_a_resend_by_sms_is_refused_with_a_message(client, at_keypad_step, clock):
    clock.advance(31)
    response = client.post("/accounts/verify/resend/", {"channel": "sms"}, follow=True)
    assert "Here the code comes by voice call only." in body(response)
    assert [d.channel for d in at_keypad_step.deliveries.all()] == ["call"]


def test_another_call_sends_the_same_code_again(client, at_keypad_step, clock):
    code = at_keypad_step.keypad_code
    clock.advance(31)
    response = client.post("/accounts/verify/resend/", {"channel": "call"}, follow=True)
    assert "The code is on its way again by voice call." in body(response)
    assert at_keypad_step.deliveries.count() == 2
    assert f'aria-label="Your code: {" ".join(code)}"' in body(response)


def test_a_call_that_failed_ends_the_code_and_offers_a_new_one(client, at_keypad_step):
    VerificationAttempt.objects.filter(pk=at_keypad_step.pk).update(status="failed")
    response = client.post(CONTINUE, follow=True)
    page = body(response)
    assert response.redirect_chain == [(VERIFY, 302)]
    assert "We could not get the code to your phone:" in page and 'action="/accounts/verify/restart/"' in page
    assert "_auth_user_id" not in client.session


def test_wrong_digits_on_the_phone_until_locked_end_the_code(client, at_keypad_step):
    wrong = "".join(str((int(d) + 1) % 10) for d in at_keypad_step.keypad_code)
    for _ in range(at_keypad_step.max_checks):
        typed_on_the_phone(at_keypad_step, wrong)
    assert json.loads(client.get(STATUS).content) == {"status": "max_attempts_reached"}
    assert "Too many wrong codes: this code is locked." in body(client.post(CONTINUE, follow=True))
    assert "_auth_user_id" not in client.session
