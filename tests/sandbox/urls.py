"""The site's URLs plus small Plivo-facing views for the sandbox to call in tests."""

from django.http import HttpResponse
from django.urls import include, path, reverse
from plivo import plivoxml

from verification.conf import app_settings
from verification.signatures import plivo_webhook

# (view name, params) of every signed request the views received, in order:
# the form for a POST, the query string for a GET.
received = []
# (view name, HTTP method) of the same requests.
methods = []

CODE = "4071"
PROMPT = "Press any key to hear your code."
NOT_PRESSED = "No key was pressed."
NEVER_SPOKEN = "This is never spoken."
TYPE_PROMPT = "Type the code shown on the page."
THANKS = "Thank you."


def absolute(name, **kwargs):
    return app_settings.public_base_url + reverse(name, kwargs=kwargs)


def _xml(response):
    return HttpResponse(response.to_string(), content_type="application/xml")


def _recording(name):
    """A signed-callback view that records what it got and answers with `make_xml()`."""

    def decorate(make_xml):
        @plivo_webhook
        def view(request, **kwargs):
            received.append((name, (request.GET if request.method == "GET" else request.POST).dict()))
            methods.append((name, request.method))
            return make_xml(**kwargs)

        return view

    return decorate


@_recording("answer")
def answer():
    get_digits = plivoxml.GetDigitsElement(
        action=absolute("test-code"), method="POST", timeout=5, num_digits=1, retries=1, log=False
    )
    get_digits.add_speak(PROMPT)
    return _xml(plivoxml.ResponseElement().add(get_digits).add(plivoxml.SpeakElement(NOT_PRESSED)))


@_recording("answer-retries")
def answer_retries(retries):
    # Asks for one key `retries` times, then says so and hangs up, as the app's call does.
    get_digits = plivoxml.GetDigitsElement(
        action=absolute("test-code"), method="POST", timeout=5, num_digits=1, retries=retries, log=False
    )
    get_digits.add_speak(PROMPT)
    response = plivoxml.ResponseElement().add(get_digits).add(plivoxml.SpeakElement(NOT_PRESSED))
    return _xml(response.add(plivoxml.HangupElement()))


@_recording("answer-any-key")
def answer_any_key(finish):
    # "Press any key" with no finishing key: finishOnKey="none" (or empty), as Plivo documents it.
    get_digits = plivoxml.GetDigitsElement(
        action=absolute("test-code"),
        method="POST",
        timeout=5,
        num_digits=1,
        retries=1,
        finish_on_key="" if finish == "empty" else finish,
        log=False,
    )
    get_digits.add_speak(PROMPT)
    return _xml(plivoxml.ResponseElement().add(get_digits).add(plivoxml.SpeakElement(NOT_PRESSED)))


@_recording("answer-get")
def answer_get():
    get_digits = plivoxml.GetDigitsElement(
        action=absolute("test-code") + "?step=code", method="GET", timeout=5, num_digits=1, retries=1, log=False
    )
    get_digits.add_speak(PROMPT)
    return _xml(plivoxml.ResponseElement().add(get_digits))


@_recording("code")
def code():
    # The code read digit by digit with SSML, twice; then a hangup.
    speak = plivoxml.SpeakElement("Your code is", voice="Polly.Joanna", language="en-US", loop=2)
    for digit in CODE:
        speak.add_say_as(digit, interpret_as="spell-out").add_break(time="300ms")
    response = plivoxml.ResponseElement().add(plivoxml.WaitElement(length=1)).add(speak)
    return _xml(response.add(plivoxml.HangupElement()).add(plivoxml.SpeakElement(NEVER_SPOKEN)))


@_recording("redirect")
def redirect():
    return _xml(plivoxml.ResponseElement().add(plivoxml.RedirectElement(absolute("test-code"), method="POST")))


@_recording("keypad")
def keypad(timeout):
    get_digits = plivoxml.GetDigitsElement(
        action=absolute("test-typed"), method="POST", timeout=timeout, num_digits=len(CODE), retries=1, log=False
    )
    get_digits.add_speak(TYPE_PROMPT)
    return _xml(plivoxml.ResponseElement().add(get_digits).add(plivoxml.SpeakElement(NOT_PRESSED)))


@_recording("typed")
def typed():
    return _xml(plivoxml.ResponseElement().add(plivoxml.SpeakElement(THANKS)))


@_recording("broken")
def broken():
    return HttpResponse("Something went wrong.", status=500, content_type="text/plain")


@_recording("not-xml")
def not_xml():
    return HttpResponse("<html><body>Not Plivo XML</body></html>", content_type="text/html")


@_recording("redirect-broken")
def redirect_broken():
    return _xml(plivoxml.ResponseElement().add(plivoxml.RedirectElement(absolute("test-broken"), method="POST")))


# Where the "outside" views point: a URL not under PUBLIC_BASE_URL, set by the test.
OUTSIDE = {"url": "http://127.0.0.1:9/internal"}


@_recording("redirect-outside")
def redirect_outside():
    return _xml(plivoxml.ResponseElement().add(plivoxml.RedirectElement(OUTSIDE["url"], method="POST")))


@_recording("action-outside")
def action_outside():
    get_digits = plivoxml.GetDigitsElement(
        action=OUTSIDE["url"], method="POST", timeout=5, num_digits=1, retries=1, log=False
    )
    get_digits.add_speak(PROMPT)
    return _xml(plivoxml.ResponseElement().add(get_digits))


@_recording("hangup")
def hangup():
    return HttpResponse("")


@_recording("ring")
def ring():
    return HttpResponse("")


@_recording("sms-status")
def sms_status():
    return HttpResponse("")


urlpatterns = [
    path("test-plivo/answer/", answer, name="test-answer"),
    path("test-plivo/answer/<int:retries>/", answer_retries, name="test-answer-retries"),
    path("test-plivo/answer-any-key/<str:finish>/", answer_any_key, name="test-answer-any-key"),
    path("test-plivo/answer-get/", answer_get, name="test-answer-get"),
    path("test-plivo/code/", code, name="test-code"),
    path("test-plivo/redirect/", redirect, name="test-redirect"),
    path("test-plivo/keypad/<int:timeout>/", keypad, name="test-keypad"),
    path("test-plivo/typed/", typed, name="test-typed"),
    path("test-plivo/broken/", broken, name="test-broken"),
    path("test-plivo/not-xml/", not_xml, name="test-not-xml"),
    path("test-plivo/redirect-broken/", redirect_broken, name="test-redirect-broken"),
    path("test-plivo/redirect-outside/", redirect_outside, name="test-redirect-outside"),
    path("test-plivo/action-outside/", action_outside, name="test-action-outside"),
    path("test-plivo/hangup/", hangup, name="test-hangup"),
    path("test-plivo/ring/", ring, name="test-ring"),
    path("test-plivo/sms-status/", sms_status, name="test-sms-status"),
    path("", include("otpsite.urls")),
]
