"""Every page, in every state a person meets it, in each language: the browser's language picks it, the footer's
switch changes it, and no text of ours is left in English (compared against the catalogue)."""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import trans_real
from rest_framework_api_key.models import APIKey

from tests.helpers import code_of
from tests.i18n.catalogue import NOT_ENGLISH, PLACEHOLDER, TAG, django_entries, entries
from tests.pages.support import PASSWORD, flow_verification, make_user
from tests.processes import free_port
from verification import services
from verification.admin import AUDIT_EVENTS, AUDIT_OUTCOMES
from verification.codes import encrypt_code
from verification.contrib.accounts import throttle
from verification.contrib.accounts.admin import ACCOUNT_EVENTS, ACCOUNT_OUTCOMES
from verification.contrib.accounts.audit import account_event
from verification.contrib.accounts.models import AccountEvent, PhoneProfile
from verification.exceptions import DeliveryBlocked, Throttled
from verification.models import (
    ActorType,
    AuditEvent,
    Delivery,
    DeliveryStatus,
    FraudBlock,
    FraudScope,
    VerificationAttempt,
    WebhookEndpoint,
)
from verification.services import Actor
from verification.services.transitions import delivery_move

pytestmark = pytest.mark.django_db

# Django's own English that our forms could show (its catalogues miss some in some languages).
DJANGO_ENGLISH = ["This field is required.", "This password is", "Enter a valid username", "Select a valid choice"]
# The audit trails' codes, each shown by a label of its own.
AUDIT_CODES = {*AUDIT_EVENTS, *AUDIT_OUTCOMES, *ACCOUNT_EVENTS, *ACCOUNT_OUTCOMES}
# What a person reads: text, and the attributes a screen reader says or a script shows.
SPOKEN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            shown = name in SPOKEN_ATTRIBUTES or (name.startswith("data-") and not name.endswith("url"))
            if value and (shown or (tag == "input" and name == "value" and ("type", "submit") in attrs)):
                self.nodes.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.nodes.append(" ".join(data.split()))


def read(response):
    parser = _Text()
    parser.feed(response.content.decode())
    return parser.nodes


def english_left(language, nodes):
    """Our English texts (msgids whose translation differs) still on the page, also as the admin
    shows a model's or a field's name: with a capital first letter ("deliveries": "Deliveries")."""
    text = " ".join(nodes)
    translated = " ".join(t for e in entries(language) for t in e.translations)
    found = []
    for entry in entries(language):
        if capfirst(entry.msgstr.get(None, entry.translations[0])) == capfirst(entry.msgid):
            continue  # the same in both languages ("SMS"; "status" is "Status" in German)
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            plain = TAG.sub(" ", source)
            if len(plain.split()) == 1:  # a single word ("Continue"): only as a whole text of its own
                found += [source for node in nodes if node in (plain.strip(), capfirst(plain.strip()))]
                continue
            for index, fragment in enumerate(PLACEHOLDER.split(plain)):
                fragment = " ".join(fragment.split())
                if len(fragment.split()) < 2:
                    continue
                for shown in {fragment, capfirst(fragment) if index == 0 else fragment}:
                    if shown not in translated and shown in text:
                        found.append(shown)
    return found + [english for english in DJANGO_ENGLISH if english in text]


def django_english_left(language, nodes):
    """Django's own English (the admin's "Recent actions", "View") still on the page: its msgids that
    the site's catalogue for `language` (ours, then Django's, merged as Django loads them) lacks."""
    catalogue = trans_real.translation(language)._catalog
    text = " ".join(nodes)
    found = []
    for entry in django_entries():
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if (key if entry.msgid_plural is None else (key, 0)) in catalogue:
            continue  # translated (a translation may be the same word: "Filter" in German)
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            plain = " ".join(TAG.sub(" ", source).split())
            if len(plain.split()) == 1:
                found += [source for node in nodes if node in (plain, capfirst(plain))]
                continue
            fragments = [" ".join(f.split()) for f in PLACEHOLDER.split(plain)]
            found += [f for f in fragments if len(f.split()) >= 2 and f in text]
    return found


def visit(language):
    return Client(headers={"Accept-Language": f"{language},en;q=0.5"})


def assert_in_language(response, language, where=""):
    assert response.status_code in (200, 503), (where, response.status_code)
    assert f'<html lang="{language}"' in response.content.decode(), where
    assert english_left(language, read(response)) + django_english_left(language, read(response)) == [], where


@pytest.fixture
def ada(db):
    return make_user("ada")


def signed_in_code_step(client, *, channel="sms"):
    PhoneProfile.objects.filter(user__username="ada").update(preferred_channel=channel)
    client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    return flow_verification(client)


# One function per page state; each returns the response a person in `language` sees.


def home(client):
    return client.get("/")


def signup_page(client):
    return client.get("/accounts/signup/")


def signup_with_errors(client):
    return client.post("/accounts/signup/", {"username": "", "password": "123", "country": "US", "phone_number": "12"})


def signup_with_a_weak_password_and_a_bad_username(client):
    data = {"username": "bad name!", "password": "12345678", "country": "US", "phone_number": "415 555 0123"}
    return client.post("/accounts/signup/", {**data, "channel": "sms"})


def login_page(client):
    return client.get("/accounts/login/")


def login_wrong_password(client):
    return client.post("/accounts/login/", {"username": "ada", "password": "wrong"})


def code_by_sms_with_a_wrong_code(client):
    code = code_of(signed_in_code_step(client))
    return client.post("/accounts/verify/", {"code": "000000" if code != "000000" else "111111"})


def code_by_call(client):
    signed_in_code_step(client, channel="call")
    return client.get("/accounts/verify/")


def code_that_could_not_be_delivered(client):
    VerificationAttempt.objects.filter(pk=signed_in_code_step(client, channel="call").pk).update(status="failed")
    return client.get("/accounts/verify/")


def code_right_after_another(client):
    services.verification_create(phone_number="+14155550123", channel="sms")
    client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    return client.get("/accounts/verify/")


def signup_canceled(client):
    client.post("/accounts/signup/", {"username": "grace", "password": PASSWORD, "country": "US",
                                      "phone_number": "415 555 0177", "channel": "sms"})  # fmt: skip
    return client.post("/accounts/verify/cancel/", follow=True)


def profile(client):
    client.post("/accounts/verify/", {"code": code_of(signed_in_code_step(client))})
    client.post("/accounts/profile/phone/", {"country": "US", "phone_number": "415 555 0188"})
    client.post("/accounts/verify/cancel/")
    return client.post("/accounts/profile/channel/", {"preferred_channel": "call"}, follow=True)


def sandbox_phone(client):
    signed_in_code_step(client)
    return client.get("/sandbox/phone/?to=%2B14155550123")


def admin_login(client):
    return client.post("/admin/login/", {"username": "", "password": ""})


def admin_code_step(client):
    get_user_model().objects.filter(username="ada").update(is_staff=True)
    client.post("/admin/login/", {"username": "ada", "password": PASSWORD})
    return client.get("/accounts/verify/")


PAGES = [
    home,
    signup_page,
    signup_with_errors,
    signup_with_a_weak_password_and_a_bad_username,
    login_page,
    login_wrong_password,
    code_by_sms_with_a_wrong_code,
    code_by_call,
    code_that_could_not_be_delivered,
    code_right_after_another,
    signup_canceled,
    profile,
    sandbox_phone,
    admin_login,
    admin_code_step,
]


@pytest.mark.parametrize("language", NOT_ENGLISH)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.__name__)
def test_every_page_is_in_the_browsers_language(ada, page, language):
    assert_in_language(page(visit(language)), language)


@pytest.mark.parametrize("language", NOT_ENGLISH)
def test_the_code_step_in_keypad_mode_is_in_the_browsers_language(ada, settings, language):
    settings.VERIFICATION_VOICE_MODE = "keypad"
    assert_in_language(code_by_call(visit(language)), language)


@pytest.mark.parametrize("language", NOT_ENGLISH)
def test_the_try_again_page_is_in_the_browsers_language(ada, settings, language):
    url = f"redis://127.0.0.1:{free_port()}/0"
    cache = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1}}
    settings.REDIS_URL, settings.CACHES = url, {"default": cache, "ratelimit": cache}
    response = visit(language).post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 503
    assert_in_language(response, language)


@pytest.fixture
def admin_activity(settings):
    """What an admin reads about: an approved verification, one locked after wrong codes, a call nobody
    answered, rate-limit windows (one blocking), and the fraud guard's blocks, one lifted."""
    settings.VERIFICATION_MAX_CHECKS = 2
    approved = services.verification_create(phone_number="+14155550101", channel="call", client_ip="203.0.113.9")
    services.verification_check(verification_id=approved.id, code=code_of(approved))
    locked = services.verification_create(phone_number="+14155550102", channel="sms", client_ip="203.0.113.9")
    for _ in range(2):
        services.verification_check(verification_id=locked.id, code="000000" if code_of(locked) != "000000" else "111111")
    unanswered = services.verification_create(phone_number="+14155550103", channel="call")
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(verification=unanswered)
        delivery_move(delivery, DeliveryStatus.NO_ANSWER, event="delivery_status", now=timezone.now(),
                      actor=Actor(type=ActorType.CARRIER, name="sandbox"))  # fmt: skip
    for _ in range(6):
        try:
            throttle.login_attempt(ip="203.0.113.5", username="alice")
        except Throttled:
            pass
    now = timezone.now()
    figures = {"sends": 30, "approvals": 1, "window_seconds": 3600, "min_sends": 10, "min_conversion": 0.2}
    FraudBlock.objects.create(scope=FraudScope.RANGE, subject="+1212555", blocked_until=now + timedelta(days=1), **figures)
    FraudBlock.objects.create(scope=FraudScope.COUNTRY, subject="GB", blocked_until=now + timedelta(days=1),
                              lifted_at=now, lifted_by="root", **figures)  # fmt: skip
    root = Actor(type=ActorType.ADMIN, name="root", ip="203.0.113.7")
    account_event(event="signup", outcome="code_sent", actor=root, phone_number="+14155550104")
    account_event(event="rate_limit_unblock", outcome="unblocked", actor=root, limit="login_ip", subject="203.0.113.5")
    key, _ = APIKey.objects.create_key(name="acme")
    WebhookEndpoint.objects.create(api_key=key, url="https://hooks.example.com/otp", secret_encrypted=encrypt_code("s"))
    return approved, unanswered


def admin_pages(approved, unanswered):
    """The admin's pages, each with rows in it: the index, the lists and their filters, a verification's page
    (its deliveries and audit lines inline), a delivery's, an audit line's, the webhooks', the dashboard and the
    rate-limit page."""
    delivery = unanswered.deliveries.get()
    return [
        "/admin/",
        "/admin/verification/",
        "/admin/verification/verificationattempt/",
        f"/admin/verification/verificationattempt/{approved.pk}/change/",
        f"/admin/verification/verificationattempt/{unanswered.pk}/change/",
        "/admin/verification/delivery/",
        f"/admin/verification/delivery/{delivery.pk}/change/",
        "/admin/verification/auditevent/",
        f"/admin/verification/auditevent/{approved.audit_events.get(event='check').pk}/change/",
        "/admin/verification/fraudblock/",
        "/admin/verification/webhookendpoint/",
        "/admin/verification/webhookendpoint/add/",
        "/admin/verification/webhookmessage/",
        "/admin/accounts/phoneprofile/",
        "/admin/accounts/accountevent/",
        f"/admin/accounts/accountevent/{AccountEvent.objects.get(event='signup').pk}/change/",
        "/admin/verification/dashboard/",
        "/admin/verification/rate-limits/",
    ]


@pytest.mark.parametrize("language", NOT_ENGLISH)
def test_the_admin_is_in_the_browsers_language(ada, admin_user, admin_activity, language):
    client = visit(language)
    client.force_login(admin_user)
    left = {}
    for path in admin_pages(*admin_activity):
        response = client.get(path)
        assert response.status_code == 200 and f'<html lang="{language}"' in response.content.decode(), path
        nodes = read(response)
        left[path] = english_left(language, nodes) + django_english_left(language, nodes)
        left[path] += [node for node in nodes if node in AUDIT_CODES]  # "delivery_status", "valid"
    assert left == {path: [] for path in left}


def test_the_audit_trails_say_what_happened_in_words(ada, admin_user, admin_activity):
    approved, unanswered = admin_activity
    client = visit("de")
    client.force_login(admin_user)
    listed = read(client.get("/admin/verification/auditevent/"))
    for label in ("Angelegt", "Zustellung eingereiht", "Zustellstatus vom Anbieter", "Code geprüft", "Richtiger Code",
                  "Falscher Code"):  # fmt: skip
        assert listed.count(label) >= 2, label  # a row, and a choice of the list's filter
    assert not {"created", "delivery_queued", "delivery_status", "check", "valid", "invalid"} & set(listed)
    inline = read(client.get(f"/admin/verification/verificationattempt/{unanswered.pk}/change/"))
    assert "Zustellstatus vom Anbieter" in inline and "delivery_status" not in inline
    check = approved.audit_events.get(event="check")
    response = client.get(f"/admin/verification/auditevent/{check.pk}/change/")
    page = read(response)
    assert "Code geprüft" in page and "Richtiger Code" in page and "check" not in page
    title = f"{check.created_at.astimezone(timezone.get_current_timezone()):%Y-%m-%d %H:%M:%S} Code geprüft Richtiger Code"
    shown = " ".join(page)
    assert shown.count(title) == 3 and "check valid" not in shown  # the window's title, the breadcrumbs, the heading
    assert f"<title>{title} |" in response.content.decode() and f"<h2>{title}</h2>" in response.content.decode()
    assert AuditEvent.objects.get(pk=check.pk).event == "check"  # the row keeps its code
    accounts = read(client.get("/admin/accounts/accountevent/"))
    assert {"Registrierung", "Code gesendet", "Ratenbegrenzung aufgehoben", "Entsperrt"} <= set(accounts)
    assert not {"signup", "code_sent", "rate_limit_unblock", "unblocked"} & set(accounts)
    signup = AccountEvent.objects.get(event="signup")
    page = " ".join(read(client.get(f"/admin/accounts/accountevent/{signup.pk}/change/")))
    assert "Registrierung Code gesendet" in page and "signup" not in page and "code_sent" not in page


def test_an_audit_code_the_admin_does_not_know_is_shown_as_it_is_stored(ada, admin_user, admin_activity):
    approved, _ = admin_activity
    AuditEvent.objects.create(verification=approved, event="relay_replayed", outcome="not_yet_named")
    client = visit("de")
    client.force_login(admin_user)
    listed = read(client.get("/admin/verification/auditevent/"))
    assert "relay_replayed" in listed and "not_yet_named" in listed


def test_the_webhook_pages_speak_the_admins_language(admin_user, admin_activity):
    client = visit("fr")
    client.force_login(admin_user)
    endpoint = WebhookEndpoint.objects.get()
    listed = read(client.get("/admin/verification/webhookendpoint/"))
    assert "Renouveler le secret de signature (l’ancien signe encore pendant 24 heures)" in listed
    form = read(client.get("/admin/verification/webhookendpoint/add/"))
    assert "URL :" in form and "Url" not in " ".join(form)  # the form's own field, named as the model's
    response = client.post("/admin/verification/webhookendpoint/", {"action": "rotate_secret",
                                                                    "_selected_action": [endpoint.pk]}, follow=True)  # fmt: skip
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith(
        f"Nouveau secret du webhook pour {endpoint.api_key} (affiché une seule fois) : "
    )


def test_the_admin_shows_a_status_a_channel_and_a_scope_by_its_name(ada, admin_user, admin_activity):
    client = visit("de")
    client.force_login(admin_user)
    listed = " ".join(read(client.get("/admin/verification/verificationattempt/")))
    assert "Bestätigt" in listed and "Gesperrt (zu viele falsche Codes)" in listed and "Sprachanruf" in listed
    deliveries = " ".join(read(client.get("/admin/verification/delivery/")))
    assert "Keine Antwort" in deliveries and "no_answer" not in deliveries
    audit = read(client.get("/admin/verification/auditevent/"))
    assert "Ausstehend" in audit and "Keine Antwort" in audit and "Anbieter" in audit
    dashboard = client.get("/admin/verification/dashboard/").content.decode()
    shown = read(HttpResponse(dashboard))
    assert "Sprachanruf" in shown and "Keine Antwort" in shown
    charts = json.loads(dashboard.split('id="dashboard-data" type="application/json">')[1].split("</script>")[0])
    assert charts["labels"]["status"]["no_answer"] == "Keine Antwort"
    assert {"channel": "call", "status": "no_answer", "n": 1} in charts["deliveries"]  # the data keeps the values
    blocks = " ".join(read(client.get("/admin/verification/rate-limits/")))
    assert "Nummernbereich +1212555••••" in blocks


def test_the_fraud_guards_mail_to_the_admins_is_in_the_sites_language(settings):
    settings.LANGUAGE_CODE = "de"
    settings.VERIFICATION_FRAUD_MIN_SENDS = 10
    settings.VERIFICATION_FRAUD_GRACE_SECONDS = 0  # judged at once: the grace is tests/fraud/test_grace.py's
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    numbers = [f"+1212555{100 + i:04d}" for i in range(11)]
    for number in numbers[:10]:
        services.verification_create(phone_number=number, channel="sms")
    with translation.override("fr"), pytest.raises(DeliveryBlocked):  # a French request trips it
        services.verification_create(phone_number=numbers[10], channel="sms")
    (message,) = mail.outbox
    assert message.subject.endswith("Betrugsschutz: Nummernbereich +1212555•••• gesperrt")
    assert "In den letzten 60 Minuten: 10 Codes gesendet, 0 bestätigt (Konversion 0,0%" in message.body
    assert "/admin/verification/rate-limits/" in message.body
    assert english_left("de", [message.subject, *message.body.split("\n")]) == []


@pytest.mark.parametrize(
    ("header", "language"),
    [("de-DE,de;q=0.9", "de"), ("es-MX", "es"), ("fr-CA", "fr"), ("pt-BR", "pt-br"), ("hi", "hi"),
     ("en-GB", "en-gb"), ("ja", "en"), ("", "en")],
)  # fmt: skip
def test_the_language_is_the_browsers_first_one_we_speak(db, header, language):
    page = Client(headers={"Accept-Language": header}).get("/accounts/login/").content.decode()
    assert f'<html lang="{language}"' in page
    assert f'<option value="{language}" lang="{language}" selected>' in page


def test_the_footers_switch_changes_the_language_and_comes_back_to_the_page(db):
    client = Client(headers={"Accept-Language": "en"})
    page = client.get("/accounts/login/").content.decode()
    switch = re.search(r'<form method="post" action="(/i18n/setlang/)" class="language-form">.*?</form>', page, re.S)
    assert switch and 'name="next" value="/accounts/login/"' in switch.group(0)
    assert "<script" not in switch.group(0) and "onchange" not in switch.group(0)  # the CSP allows no inline script
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"}, follow=True)
    assert response.redirect_chain == [("/accounts/login/", 302)]
    cookie = client.cookies["django_language"]
    assert cookie.value == "fr" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert '<html lang="fr"' in response.content.decode() and "Se connecter" in response.content.decode()


def test_a_call_and_an_sms_from_a_page_speak_the_pages_language(ada):
    client = visit("de")
    verification = signed_in_code_step(client)
    assert verification.locale == "de-DE"
