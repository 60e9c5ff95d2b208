"""The admin signs in as everyone does, in Chromium: the password, then a code to the verified phone, with the
same limits; its own password-only form signs nobody in (issue 11, item 2)."""

import re
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.support import sms_code
from tests.pages.support import PASSWORD, make_user
from verification.contrib.accounts.models import PhoneProfile

NUMBER = "+14155550166"


def make_admin(username="root", *, number=NUMBER):
    user = make_user(username, number=number)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def sign_in_url(live_site, target="/admin/"):
    """The admin's sign-in page, where the admin sends whoever has no staff session."""
    return re.compile(re.escape(f"{live_site.url}/admin/login/?next={quote(target, safe='/')}") + "$")


def type_password(page, password, username="root"):
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Continue").click()


def test_sixty_wrong_admin_passwords_from_one_address_are_throttled_with_the_wait(page, live_site):
    make_admin()
    page.goto("/admin/")
    expect(page).to_have_url(sign_in_url(live_site))
    alerts = []
    for _ in range(60):
        type_password(page, "not the password")
        alerts.append(page.get_by_role("alert").inner_text())
    assert alerts[:5] == ["The username or the password is not right."] * 5
    assert all(text.startswith("Too many sign-in attempts") for text in alerts[5:]), set(alerts[5:])
    assert all(text.endswith("Please try again in 15 minutes.") for text in alerts[5:]), set(alerts[5:])
    # Throttled before the password is looked at: the right one is refused now too.
    type_password(page, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Too many sign-in attempts")
    expect(page.get_by_role("alert")).to_contain_text("Please try again in 15 minutes.")
    page.goto("/admin/")
    expect(page).to_have_url(sign_in_url(live_site))


def test_the_right_password_then_the_code_from_the_sandbox_lands_on_the_admin(page, live_site):
    make_admin()
    target = "/admin/verification/verificationattempt/"
    page.goto(target)
    expect(page).to_have_url(sign_in_url(live_site, target))
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    shoot(page, "admin-login-password")
    type_password(page, PASSWORD)

    expect(page).to_have_url(f"{live_site.url}/accounts/verify/")
    expect(page.get_by_text("We sent a code by text message to +1 415 ••• ••66.")).to_be_visible()
    shoot(page, "admin-login-code")
    page.get_by_label("Code", exact=True).fill(sms_code(live_site, NUMBER))
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(f"{live_site.url}{target}")
    expect(page.locator("#user-tools")).to_contain_text("root")
    page.goto("/admin/")
    expect(page).to_have_url(f"{live_site.url}/admin/")
    # Signed in, the admin's login address just goes on to the admin.
    page.goto("/admin/login/?next=/admin/verification/auditevent/")
    expect(page).to_have_url(f"{live_site.url}/admin/verification/auditevent/")


def test_a_staff_user_without_a_phone_is_refused_until_set_phone_gives_one_and_a_code_verifies_it(page, live_site):
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)  # as createsuperuser does
    page.goto("/admin/")
    type_password(page, PASSWORD)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This account has no phone number yet")
    expect(alert).to_contain_text("python manage.py set_phone root +14155550123")
    page.goto("/admin/")
    expect(page).to_have_url(sign_in_url(live_site))  # not signed in

    call_command("set_phone", "root", NUMBER)  # what the message says to do
    type_password(page, PASSWORD)
    expect(page).to_have_url(f"{live_site.url}/accounts/verify/")
    page.get_by_label("Code", exact=True).fill(sms_code(live_site, NUMBER))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_site.url}/admin/")
    assert PhoneProfile.objects.get(user__username="root").phone_verified


def test_the_admin_password_form_is_gone_and_signs_nobody_in(page, live_site):
    make_admin()
    page.goto("/admin/login/?next=/admin/")
    expect(page.get_by_text("Your password first; then we send a code to your phone.")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)  # Django's own form
    assert page.locator("#header").evaluate("e => getComputedStyle(e).display") != "inline"  # the admin's look

    # The right password, posted to the admin's login address as Django's old form would send it:
    # only the first step -- on to the code, signed in to nothing.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_site.url}/admin/login/?next=/admin/",
        form={"username": "root", "password": PASSWORD, "next": "/admin/", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{live_site.url}/admin/login/"},
        max_redirects=0,
    )
    assert response.status == 302 and response.headers["location"] == "/accounts/verify/"
    for path in ("/admin/", "/admin/verification/auditevent/"):
        page.goto(path)
        expect(page).to_have_url(sign_in_url(live_site, path))

    # An unsafe next is dropped for the admin's index.
    page.goto("/admin/login/?next=//evil.example/")
    type_password(page, PASSWORD)
    page.get_by_label("Code", exact=True).fill(sms_code(live_site, NUMBER))  # the same code: the sign-in goes on
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_site.url}/admin/")
