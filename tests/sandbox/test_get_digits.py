"""GetDigits sends the digits to its action URL with its `method`, signed as Plivo signs it."""

from urllib.parse import parse_qs, urlsplit

from verification.contrib.sandbox import callbacks

from . import urls as test_urls
from .support import ANSWERED, finish, methods, received


def test_get_digits_with_method_get_requests_the_action_url_with_get(place_call):
    place_call(ANSWERED, answer="test-answer-get")
    finish()

    # The view checks X-Plivo-Signature-V3 over the URL and its query (construct_get_url).
    assert methods("code") == ["GET"]


def test_get_digits_with_method_get_puts_the_digits_and_call_params_in_the_query(place_call):
    response = place_call(ANSWERED, answer="test-answer-get")
    finish()

    [params] = received("code")
    assert (params["Digits"], params["CallUUID"], params["step"]) == ("1", response.request_uuid, "code")
    [query] = [
        parse_qs(urlsplit(url).query)
        for url in callbacks.seen_urls()
        if url.startswith(test_urls.absolute("test-code")) and response.request_uuid in url
    ]
    assert (query["Digits"], query["CallUUID"]) == (["1"], [response.request_uuid])


def test_get_digits_posts_by_default(place_call):
    place_call(ANSWERED)
    finish()

    assert methods("code") == ["POST"]


def test_answer_method_get_is_honoured(place_call):
    place_call(ANSWERED, options={"answer_method": "GET"})
    finish()

    assert methods("answer") == ["GET"]
    assert received("answer")[0]["Event"] == "StartApp"


def test_hangup_method_get_is_honoured(place_call):
    place_call(ANSWERED, options={"hangup_method": "GET"})
    finish()

    assert methods("hangup") == ["GET"]
    assert received("hangup")[0]["Event"] == "Hangup"
