"""The sandbox with DJANGO_DEBUG off (VERIFICATION_SANDBOX_IN_PRODUCTION=1): its phones need
credentials, it only ever requests URLs under PUBLIC_BASE_URL, and its token is no constant.

Everything goes through the live server: the real SDK, the sandbox's HTTP API, and
`requests` for what a stranger or a test harness would send.
"""

import http.server
import io
import threading

import plivo
import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from plivo import exceptions

from tests.helpers import signed_post
from verification import services
from verification.carriers.plivo_client import PLIVO_API_PREFIX, RewritingAdapter, make_rest_client
from verification.conf import SANDBOX_AUTH_ID, app_settings, sandbox_auth_token
from verification.contrib.sandbox import callbacks
from verification.contrib.sandbox.models import Channel, InboxEntry

from . import urls as test_urls
from .support import ANSWERED, finish, received

# The token every installation shared before it was derived from SECRET_KEY.
OLD_CONSTANT_TOKEN = "sandbox-auth-token"
CODE_TEXT = "Your code is 4071."


@pytest.fixture
def production(sandbox, settings):
    """The sandbox as a staging site runs it: DEBUG off, allowed on purpose."""
    settings.DEBUG = False
    settings.VERIFICATION_SANDBOX_IN_PRODUCTION = True
    return sandbox


@pytest.fixture
def web():
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()


def credentials():
    return (app_settings.auth_id, app_settings.auth_token)


class Recorder(http.server.BaseHTTPRequestHandler):
    """An internal service the sandbox must never reach: it answers Plivo XML and remembers every request."""

    seen = []

    def _answer(self):
        self.seen.append((self.command, self.path))
        body = b"<Response><Speak>internal secret</Speak></Response>"
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def internal():
    """`http://127.0.0.1:<port>`: a loopback service outside PUBLIC_BASE_URL; its `seen` lists what reached it."""
    Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.seen = Recorder.seen
    yield server
    server.shutdown()
    server.server_close()


def an_sms(plivo):
    response = plivo.messages.create(src=app_settings.from_number, dst=ANSWERED, text=CODE_TEXT)
    finish()
    return InboxEntry.objects.get(pk=response.message_uuid[0])


def a_call():
    return InboxEntry.objects.create(channel=Channel.CALL, to_number=ANSWERED, from_number="+14155550100")


# --- Its phones: the inbox, the phone page and its audio, the keypad -------------------------


def test_the_inbox_gives_no_code_to_a_stranger(production, plivo, web):
    an_sms(plivo)

    response = web.get(f"{production.url}/sandbox/inbox/", timeout=10)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic ")
    assert "4071" not in response.text


def test_the_inbox_answers_the_sandbox_credentials(production, plivo, web):
    an_sms(plivo)

    response = web.get(f"{production.url}/sandbox/inbox/", params={"to": ANSWERED}, auth=credentials(), timeout=10)

    assert response.status_code == 200
    assert [entry["text"] for entry in response.json()] == [CODE_TEXT]


@pytest.mark.parametrize(
    "auth",
    [(SANDBOX_AUTH_ID, OLD_CONSTANT_TOKEN), (SANDBOX_AUTH_ID, "wrong"), ("MA" + "B" * 18, None)],
    ids=["the-old-constant-token", "a-wrong-token", "another-auth-id"],
)
def test_the_inbox_refuses_other_credentials(production, plivo, web, auth):
    an_sms(plivo)
    auth = (auth[0], auth[1] or app_settings.auth_token)

    response = web.get(f"{production.url}/sandbox/inbox/", auth=auth, timeout=10)

    assert response.status_code == 401
    assert "4071" not in response.text


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value}


def test_the_inbox_answers_a_staff_session(production, plivo, web, django_user_model):
    an_sms(plivo)
    staff = django_user_model.objects.create_user("ops", password="x" * 20, is_staff=True)

    response = web.get(f"{production.url}/sandbox/inbox/", cookies=session_cookie(staff), timeout=10)

    assert response.status_code == 200
    assert [entry["text"] for entry in response.json()] == [CODE_TEXT]


def test_the_inbox_refuses_a_session_that_is_not_staff(production, plivo, web, django_user_model):
    an_sms(plivo)
    user = django_user_model.objects.create_user("someone", password="x" * 20)

    response = web.get(f"{production.url}/sandbox/inbox/", cookies=session_cookie(user), timeout=10)

    assert response.status_code == 401


def phone_requests(entry):
    return {
        "inbox": ("GET", "/sandbox/inbox/"),
        "phone page": ("GET", "/sandbox/phone/"),
        "call audio": ("GET", f"/sandbox/phone/calls/{entry.pk}/audio.wav"),
        "press": ("POST", f"/sandbox/calls/{entry.pk}/press"),
    }


@pytest.mark.parametrize("name", ["inbox", "phone page", "call audio", "press"])
def test_every_phone_endpoint_needs_credentials(production, web, name):
    call = a_call()
    method, path = phone_requests(call)[name]

    response = web.request(method, production.url + path, data={"digits": "4071"}, timeout=10)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic ")
    call.refresh_from_db()
    assert call.pressed_digits == ""


@pytest.mark.parametrize(("name", "status"), [("inbox", 200), ("phone page", 200), ("press", 202)])
def test_every_phone_endpoint_answers_the_credentials(production, web, name, status):
    method, path = phone_requests(a_call())[name]

    response = web.request(method, production.url + path, data={"digits": "4071"}, auth=credentials(), timeout=10)

    assert response.status_code == status


def test_a_staff_session_cannot_be_made_to_press_keys_from_another_site(production, web, django_user_model):
    # A session cookie goes with any site's form: the keypad wants the CSRF token with it.
    call = a_call()
    staff = django_user_model.objects.create_user("ops", password="x" * 20, is_staff=True)

    response = web.post(
        f"{production.url}/sandbox/calls/{call.pk}/press",
        data={"digits": "4071"},
        cookies=session_cookie(staff),
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )

    assert response.status_code == 403
    call.refresh_from_db()
    assert call.pressed_digits == ""


def test_with_debug_on_the_phones_stay_open(sandbox, settings, plivo, web):
    settings.DEBUG = True
    settings.VERIFICATION_SANDBOX_IN_PRODUCTION = True
    an_sms(plivo)

    response = web.get(f"{sandbox.url}/sandbox/inbox/", timeout=10)

    assert response.status_code == 200
    assert [entry["text"] for entry in response.json()] == [CODE_TEXT]


# --- It only ever requests URLs under PUBLIC_BASE_URL ---------------------------------------------

CALL_URLS = ["answer_url", "hangup_url", "ring_url", "fallback_url"]


@pytest.mark.parametrize("name", CALL_URLS)
def test_a_call_url_outside_public_base_url_is_refused_and_never_fetched(production, plivo, internal, name):
    urls = {"answer_url": test_urls.absolute("test-answer"), name: internal.url + "/internal"}

    with pytest.raises(exceptions.ValidationError, match=f"'{name}'.*PUBLIC_BASE_URL"):
        plivo.calls.create(from_=app_settings.from_number, to_=ANSWERED, **urls)
    finish()

    assert internal.seen == []
    assert not InboxEntry.objects.exists()
    assert received("answer") == []


def test_an_sms_status_url_outside_public_base_url_is_refused_and_never_fetched(production, plivo, internal):
    with pytest.raises(exceptions.ValidationError, match="'url'.*PUBLIC_BASE_URL"):
        plivo.messages.create(src=app_settings.from_number, dst=ANSWERED, text=CODE_TEXT, url=internal.url + "/internal")
    finish()

    assert internal.seen == []
    assert not InboxEntry.objects.exists()


def near_misses(base, internal_url):
    """URLs that look like PUBLIC_BASE_URL's but are not under it."""
    scheme, rest = base.split("://")
    host, port = rest.split(":")
    return [
        internal_url + "/answer/",  # another port on the loopback
        f"{'https' if scheme == 'http' else 'http'}://{rest}/test-plivo/answer/",  # another scheme
        f"{scheme}://{host}.:{port}/test-plivo/answer/",  # another spelling of the host
        f"{scheme}://{host}:{port}@{internal_url.split('://')[1]}/internal",  # the real host after the userinfo
        f"{scheme}://{host}:{port}\\@{internal_url.split('://')[1]}/internal",  # a backslash parsers disagree on
    ]


def test_urls_that_only_look_like_public_base_url_are_refused(production, plivo, internal):
    for url in near_misses(production.url, internal.url):
        with pytest.raises(exceptions.ValidationError, match="PUBLIC_BASE_URL"):
            plivo.calls.create(from_=app_settings.from_number, to_=ANSWERED, answer_url=url)
    finish()

    assert internal.seen == []
    assert not InboxEntry.objects.exists()


def test_the_path_of_public_base_url_is_a_prefix_too(production, settings, web):
    settings.PUBLIC_BASE_URL = production.url + "/otp"
    plivo = make_rest_client(sandbox_url=production.url + "/sandbox/plivo")
    refused = [
        production.url + "/test-plivo/answer/",  # outside the prefix
        production.url + "/otpx/test-plivo/answer/",  # a longer name, not under it
        production.url + "/otp/../test-plivo/answer/",  # out of it by a dot segment
        production.url + "/otp/%2e%2e/test-plivo/answer/",  # the same, percent-encoded
    ]
    for url in refused:
        with pytest.raises(exceptions.ValidationError, match="PUBLIC_BASE_URL"):
            plivo.calls.create(from_=app_settings.from_number, to_=ANSWERED, answer_url=url)

    # Under it, the call is placed (nothing answers at /otp/ here: it ends as a URL error).
    response = plivo.calls.create(from_=app_settings.from_number, to_=ANSWERED, answer_url=production.url + "/otp/answer/")
    finish()
    assert InboxEntry.objects.get(pk=response.request_uuid).hangup_cause_code == 7011  # a 404 there
    assert callbacks.seen_urls()[-1].startswith(production.url + "/otp/")
    assert received("answer") == []


def test_a_redirect_in_the_xml_outside_public_base_url_is_never_fetched(production, place_call, internal):
    test_urls.OUTSIDE["url"] = internal.url + "/internal"
    response = place_call(ANSWERED, answer="test-redirect-outside")
    finish()

    assert internal.seen == []
    call = InboxEntry.objects.get(pk=response.request_uuid)
    assert call.hangup_cause_code == 7014  # Error Reaching Redirect URL
    assert "internal secret" not in call.text
    assert test_urls.OUTSIDE["url"] not in callbacks.seen_urls()


def test_a_get_digits_action_outside_public_base_url_is_never_fetched(production, place_call, internal):
    test_urls.OUTSIDE["url"] = internal.url + "/internal"
    response = place_call(ANSWERED, answer="test-action-outside")
    finish()

    assert internal.seen == []
    call = InboxEntry.objects.get(pk=response.request_uuid)
    assert call.hangup_cause_code == 7012  # Error Reaching Action URL
    assert "internal secret" not in call.text


# --- Its token: random per installation, never a constant ------------------------------------


def test_the_token_is_derived_from_the_secret_key(settings):
    settings.VERIFICATION_CARRIER = "sandbox"
    settings.PLIVO_AUTH_ID = settings.PLIVO_AUTH_TOKEN = ""

    token = app_settings.auth_token
    assert token == sandbox_auth_token(settings.SECRET_KEY)
    assert token != OLD_CONSTANT_TOKEN and len(token) >= 32
    settings.SECRET_KEY = "another-installation-" + "x" * 40
    assert app_settings.auth_token not in (token, OLD_CONSTANT_TOKEN)


def test_configured_plivo_credentials_are_the_sandboxs(settings):
    settings.VERIFICATION_CARRIER = "sandbox"
    settings.PLIVO_AUTH_ID, settings.PLIVO_AUTH_TOKEN = "MA" + "C" * 18, "configured-token"

    assert credentials() == ("MA" + "C" * 18, "configured-token")


def sdk_client(auth_id, auth_token, sandbox_url):
    """A plain SDK client with the given credentials, pointed at the sandbox."""
    client = plivo.RestClient(auth_id=auth_id, auth_token=auth_token)
    client.session.mount("https://api.plivo.com", RewritingAdapter(PLIVO_API_PREFIX, sandbox_url + "/sandbox/plivo/v1"))
    client.session.trust_env = False
    return client


def test_the_old_constant_token_places_no_call(production):
    stranger = sdk_client(SANDBOX_AUTH_ID, OLD_CONSTANT_TOKEN, production.url)

    with pytest.raises(exceptions.AuthenticationError):
        stranger.calls.create(from_=app_settings.from_number, to_=ANSWERED, answer_url=test_urls.absolute("test-answer"))
    assert not InboxEntry.objects.exists()
    assert received("answer") == []


def test_the_old_constant_token_signs_no_callback(production):
    verification = services.verification_create(phone_number="+14155550150", channel="call")
    finish()
    delivery = verification.deliveries.get()
    path = f"/plivo/voice/{delivery.id}/hangup/"

    forged = signed_post(Client(), path, {"CallUUID": "forged", "CallStatus": "busy"}, token=OLD_CONSTANT_TOKEN)
    genuine = signed_post(Client(), path, {"CallUUID": "genuine", "CallStatus": "completed"})

    assert forged.status_code == 403
    assert genuine.status_code == 204


def test_manage_py_sandbox_credentials_prints_what_the_inbox_accepts(production, plivo, web):
    an_sms(plivo)
    out = io.StringIO()
    call_command("sandbox_credentials", "--basic", stdout=out)
    auth_id, _, auth_token = out.getvalue().strip().partition(":")

    response = web.get(f"{production.url}/sandbox/inbox/", auth=(auth_id, auth_token), timeout=10)

    assert response.status_code == 200
    assert [entry["text"] for entry in response.json()] == [CODE_TEXT]
    full = io.StringIO()
    call_command("sandbox_credentials", stdout=full)
    assert full.getvalue().splitlines() == [f"auth id:    {auth_id}", f"auth token: {auth_token}"]
