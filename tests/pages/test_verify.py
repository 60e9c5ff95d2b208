"""/accounts/verify/: the code, resends after the cooldown, channel switch, and every way it ends."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.signals import got_request_exception
from django.views.debug import SafeExceptionReporterFilter

from tests.helpers import code_of
from tests.pages.support import flow_of, flow_verification, login_password, make_user
from verification import services
from verification.contrib.accounts import services as account_services
from verification.contrib.accounts.flow import SESSION_KEY
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/verify/"


def check(client, code):
    return client.post(VERIFY, {"code": code})


def body(response):
    return response.content.decode()


def wrong(code):
    return "000000" if code != "000000" else "111111"


def test_the_code_page_asks_for_a_one_time_code_on_a_numeric_keyboard(client, clock, at_code_step):
    page = body(client.get(VERIFY))
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page and 'pattern="\\d{6}"' in page
    assert "+1 415 ••• ••23" in page and "text message" in page
    assert "You can ask for it again in 30 seconds." in page
    assert '<script src="/static/accounts/verify.js" defer>' in page


def test_without_a_code_step_the_page_sends_you_to_sign_in(client, db):
    response = client.get(VERIFY)
    assert response["Location"] == "/accounts/login/"


def test_the_right_code_signs_in_and_ends_the_code_step(client, at_code_step):
    response = check(client, code_of(at_code_step))
    assert response["Location"] == "/accounts/profile/"
    assert client.session["_auth_user_id"] == str(get_user_model().objects.get(username="ada").pk)
    assert flow_of(client) is None


def test_a_code_typed_with_spaces_counts(client, at_code_step):
    code = code_of(at_code_step)
    assert check(client, f"{code[:3]} {code[3:]}")["Location"] == "/accounts/profile/"


def test_a_wrong_code_says_how_many_tries_are_left(client, at_code_step):
    response = check(client, wrong(code_of(at_code_step)))
    page = body(response)
    assert "That code is not right. 4 tries left." in page
    assert 'aria-describedby="id_code_helptext id_code_error"' in page and 'aria-invalid="true"' in page
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "zero",
    ["\u0660", "\u06f0", "\u0966", "\uff10"],
    ids=["arabic-indic", "extended-arabic-indic", "devanagari", "fullwidth"],
)
def test_a_code_typed_in_another_scripts_digits_counts(client, at_code_step, zero):
    code = "".join(chr(ord(zero) + int(digit)) for digit in code_of(at_code_step))
    assert check(client, code)["Location"] == "/accounts/profile/"
    at_code_step.refresh_from_db()
    assert at_code_step.failed_checks == 0


def test_a_code_that_is_not_digits_is_refused_without_counting_a_try(client, at_code_step):
    page = body(check(client, "12ab"))
    assert "Type the 6 digits of the code." in page
    at_code_step.refresh_from_db()
    assert at_code_step.failed_checks == 0


def test_the_last_wrong_code_locks_it_and_offers_a_new_one(client, at_code_step):
    bad = wrong(code_of(at_code_step))
    for _ in range(4):
        check(client, bad)
    page = body(check(client, bad))
    assert "Too many wrong codes: this code is locked." in page
    assert 'data-reason="max_attempts_reached"' in page and 'action="/accounts/verify/restart/"' in page
    assert "_auth_user_id" not in client.session


def test_an_expired_code_says_so_and_offers_a_new_one(client, at_code_step, clock):
    code = code_of(at_code_step)
    clock.advance(601)
    page = body(client.get(VERIFY))
    assert "This code has expired." in page and 'data-reason="verification_expired"' in page
    assert check(client, code).status_code == 200  # no sign-in with an expired code
    assert "_auth_user_id" not in client.session


def test_a_failed_delivery_says_so_and_offers_the_other_channel(client, at_code_step):
    VerificationAttempt.objects.filter(pk=at_code_step.pk).update(status="failed")
    page = body(client.get(VERIFY))
    assert "We could not get the code to your phone:" in page
    assert 'name="channel" value="call"' in page and "Send a new code by voice call" in page


def test_a_superseded_code_says_so(client, at_code_step, clock):
    clock.advance(31)
    services.verification_create(phone_number="+14155550123", channel="call")
    assert "This code was replaced or canceled." in body(client.get(VERIFY))


def test_a_lock_within_the_cooldown_says_when_a_new_code_may_be_asked_for(client, clock, at_code_step):
    bad = wrong(code_of(at_code_step))
    for _ in range(5):
        page = body(check(client, bad))
    assert 'data-reason="max_attempts_reached"' in page
    assert "You can ask for a new code in 30 seconds." in page and 'data-wait-seconds="30"' in page
    assert page.count("data-resend") == 2  # the countdown holds the "Send a new code" buttons


def test_a_wait_of_two_minutes_or_more_is_said_in_minutes(client, clock, settings, at_code_step):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 1
    assert "You can ask for it again in 60 minutes." in body(client.get(VERIFY))
    clock.advance(3600 - 119)  # the code has expired meanwhile: a new one waits for the same cap
    assert "You can ask for a new code in 119 seconds." in body(client.get(VERIFY))


def test_an_ended_code_with_no_wait_says_nothing_about_waiting(client, at_code_step, clock):
    clock.advance(601)
    page = body(client.get(VERIFY))
    assert "This code has expired." in page and "resend-wait" not in page


def test_a_new_code_after_the_end_replaces_the_old_one(client, at_code_step, clock):
    clock.advance(601)
    response = client.post("/accounts/verify/restart/", {"channel": "call"}, follow=True)
    new = flow_verification(client)
    assert new.pk != at_code_step.pk and (new.status, new.channel) == ("pending", "call")
    assert "A new code is on its way by voice call." in body(response)
    assert check(client, code_of(new))["Location"] == "/accounts/profile/"


def test_a_resend_inside_the_cooldown_is_refused_with_the_wait(client, clock, at_code_step):
    response = client.post("/accounts/verify/resend/", follow=True)
    assert "A code was just sent to this number. Please try again in 30 seconds." in body(response)
    assert at_code_step.deliveries.count() == 1


def test_a_resend_after_the_cooldown_sends_the_same_code_again(client, at_code_step, clock):
    clock.advance(31)
    response = client.post("/accounts/verify/resend/", follow=True)
    assert "The code is on its way again by text message." in body(response)
    assert [d.channel for d in at_code_step.deliveries.order_by("created_at")] == ["sms", "sms"]
    assert "You can ask for it again in 30 seconds." in body(response)


def test_switching_channel_sends_by_the_other_one_and_remembers_it(client, at_code_step, clock):
    clock.advance(31)
    response = client.post("/accounts/verify/resend/", {"channel": "call"}, follow=True)
    assert "The code is on its way again by voice call." in body(response)
    assert [d.channel for d in at_code_step.deliveries.order_by("created_at")] == ["sms", "call"]
    assert flow_of(client)["channel"] == "call"
    assert check(client, code_of(at_code_step))["Location"] == "/accounts/profile/"


def test_an_sms_to_a_fixed_line_is_refused_on_resend(client, db, clock):
    make_user("ada", number="+442079460000", channel="call")
    login_password(client)
    clock.advance(31)
    response = client.post("/accounts/verify/resend/", {"channel": "sms"}, follow=True)
    assert "fixed line" in body(response)


def test_verifying_a_signup_activates_the_account_and_signs_in(client, db):
    make_user("ada", verified=False)
    login_password(client)
    check(client, code_of(flow_verification(client)))
    user = get_user_model().objects.get(username="ada")
    assert user.is_active and user.phone_profile.phone_verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_account_deactivated_during_the_code_step_is_not_signed_in(client, at_code_step):
    get_user_model().objects.filter(username="ada").update(is_active=False)
    response = check(client, code_of(at_code_step))
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_cancel_ends_the_code_step_and_its_verification(client, at_code_step):
    response = client.post("/accounts/verify/cancel/")
    assert response["Location"] == "/accounts/login/"
    assert flow_of(client) is None
    at_code_step.refresh_from_db()
    assert at_code_step.status == "canceled"


def test_a_crash_report_never_shows_the_typed_code(client, at_code_step, monkeypatch, settings):
    settings.DEBUG = False
    requests = []

    def crash(**kwargs):
        raise RuntimeError("boom")

    def keep(sender, request, **kwargs):
        requests.append(request)

    monkeypatch.setattr(account_services, "code_check", crash)
    got_request_exception.connect(keep)
    try:
        with pytest.raises(RuntimeError):
            check(client, "123456")
    finally:
        got_request_exception.disconnect(keep)
    shown = SafeExceptionReporterFilter().get_post_parameters(requests[0])
    assert "123456" not in shown["code"] and set(shown["code"]) == {"*"}


def test_a_signed_in_user_carrying_a_sign_in_code_step_is_sent_to_the_profile(client, at_code_step, user):
    client.force_login(user)
    assert flow_of(client) is not None
    assert client.get(VERIFY)["Location"] == "/accounts/profile/"
    assert flow_of(client) is None


def test_a_verification_gone_ends_the_code_step(client, at_code_step):
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "verification_id": str(uuid.uuid4())}
    session.save()
    assert client.get(VERIFY)["Location"] == "/accounts/login/"
    assert flow_of(client) is None


def test_a_code_that_ended_between_the_page_and_the_check_says_how_it_ended(client, at_code_step, monkeypatch):
    code = code_of(at_code_step)
    code_check = account_services.code_check

    def canceled_meanwhile(*, flow, **kwargs):
        services.verification_cancel(verification_id=flow.verification_id)
        return code_check(flow=flow, **kwargs)

    monkeypatch.setattr(account_services, "code_check", canceled_meanwhile)
    page = body(check(client, code))
    assert "This code was replaced or canceled." in page and 'data-reason="verification_canceled"' in page
    assert "_auth_user_id" not in client.session


def test_a_resend_after_the_code_ended_sends_nothing_and_the_page_says_how_it_ended(client, at_code_step, clock):
    clock.advance(601)
    response = client.post("/accounts/verify/resend/", follow=True)
    assert "This code has expired." in body(response)
    assert at_code_step.deliveries.count() == 1


def test_a_new_code_inside_the_cooldown_is_refused_with_the_wait(client, clock, at_code_step):
    bad = wrong(code_of(at_code_step))
    for _ in range(5):
        check(client, bad)
    response = client.post("/accounts/verify/restart/", follow=True)
    assert "A code was just sent to this number. Please try again in 30 seconds." in body(response)
    assert VerificationAttempt.objects.count() == 1


def test_a_new_code_by_sms_to_a_fixed_line_is_refused(client, db, clock):
    make_user("ada", number="+442079460000", channel="call")
    login_password(client)
    clock.advance(601)
    response = client.post("/accounts/verify/restart/", {"channel": "sms"}, follow=True)
    assert "fixed line" in body(response)
    assert VerificationAttempt.objects.count() == 1


def test_a_resend_by_sms_to_a_country_no_longer_allowed_is_refused(client, at_code_step, clock, settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["GB"]
    clock.advance(31)
    response = client.post("/accounts/verify/resend/", {"channel": "sms"}, follow=True)
    assert response.status_code == 200
    assert "Phone numbers from United States are not accepted." in body(response)
    assert at_code_step.deliveries.count() == 1


def test_a_new_code_to_a_country_no_longer_allowed_is_refused(client, at_code_step, clock, settings):
    settings.VERIFICATION_ALLOWED_COUNTRIES = ["GB"]
    clock.advance(601)
    response = client.post("/accounts/verify/restart/", follow=True)
    assert response.status_code == 200
    assert "Phone numbers from United States are not accepted." in body(response)
    assert VerificationAttempt.objects.count() == 1


def test_an_account_deleted_during_the_code_step_is_told_at_the_check(client, at_code_step, user):
    code = code_of(at_code_step)
    user.delete()
    response = client.post(VERIFY, {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "This account no longer exists." in body(response)
    assert flow_of(client) is None and "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/accounts/verify/restart/", "/accounts/verify/resend/"])
def test_an_account_deleted_during_the_code_step_gets_no_new_code(client, at_code_step, user, clock, path):
    clock.advance(601 if path.endswith("restart/") else 31)
    user.delete()
    response = client.post(path, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "This account no longer exists." in body(response)
    assert flow_of(client) is None
    assert VerificationAttempt.objects.count() == 1 and at_code_step.deliveries.count() == 1


def test_a_signup_whose_number_another_account_verified_meanwhile_is_refused(client, db):
    make_user("mallory", verified=False)
    login_password(client, username="mallory")  # a code to the unfinished signup's number
    mallory = flow_verification(client)
    make_user("ada", number="+14155550123")  # meanwhile the number's owner verified it
    response = client.post(VERIFY, {"code": code_of(mallory)}, follow=True)
    assert "This number is already used by another account." in body(response)
    assert response.redirect_chain[-1][0] == "/accounts/signup/"
    assert not get_user_model().objects.get(username="mallory").is_active


@pytest.mark.parametrize("path", ["/accounts/verify/resend/", "/accounts/verify/cancel/"])
def test_the_code_actions_are_posts(client, at_code_step, path):
    assert client.get(path).status_code == 405


def test_in_development_the_code_page_points_to_the_sandbox_phone(client, at_code_step):
    assert 'href="/sandbox/phone/?to=%2B14155550123"' in body(client.get(VERIFY))


def test_with_a_real_carrier_the_code_page_says_nothing_of_a_sandbox(client, at_code_step, settings):
    settings.VERIFICATION_CARRIER = "plivo"
    page = body(client.get(VERIFY))
    assert "sandbox" not in page.lower()
