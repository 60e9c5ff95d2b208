"""The requests the sandbox sends to the app, signed, timed out and retried as Plivo does.

Plivo signs every request with X-Plivo-Signature-V3: a POST over the URL and its
form fields, a GET over the URL with its parameters in the query string
(`construct_get_url`). It waits and retries as the URL's fragment says
(`https://example.com/answer/#ct=2000&rt=3000&rc=2&rp=5xx`), and otherwise by
its defaults: 2 s to connect, 40 s to answer, 55 s in all, one retry, on a
connection failure or a read timeout only (never on an HTTP error status).
See https://www.plivo.com/docs/voice/concepts/callback-configurations/.
"""

import collections
import dataclasses
import logging
import threading
import time
from urllib.parse import parse_qsl, urldefrag, urlencode

import requests

from verification.conf import app_settings
from verification.signatures import sign_v3

from .wire import is_under_public_base_url

logger = logging.getLogger(__name__)

METHODS = ("GET", "POST")
# The retry policies Plivo knows: HTTP 4xx, HTTP 5xx, connect timeout or failure, read timeout.
RETRY_POLICIES = ("4xx", "5xx", "ct", "rt")
# Why a URL outside PUBLIC_BASE_URL failed without being requested (never retried).
REFUSED = "refused"

# The last URLs called, so tests can check that nothing secret ever sits in one.
_seen_urls = collections.deque(maxlen=1000)
_seen_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class CallbackConfig:
    """How long Plivo waits for a URL and when it tries again (milliseconds, as in the docs)."""

    connect_timeout_ms: int = 2000
    read_timeout_ms: int = 40000
    total_timeout_ms: int = 55000
    retries: int = 1
    retry_on: frozenset = frozenset({"ct", "rt"})

    @classmethod
    def from_url(cls, url):
        """The URL without its fragment, and the configuration its fragment holds."""
        url, fragment = urldefrag(url)
        options = dict(parse_qsl(fragment))
        default = cls()
        retry_on = default.retry_on
        if "rp" in options:
            policies = {part.strip() for part in options["rp"].split(",")}
            retry_on = frozenset(RETRY_POLICIES) if "all" in policies else frozenset(policies & set(RETRY_POLICIES))
        config = cls(
            connect_timeout_ms=_bounded(options.get("ct"), default.connect_timeout_ms, 100, 10000),
            read_timeout_ms=_bounded(options.get("rt"), default.read_timeout_ms, 100, 40000),
            total_timeout_ms=_bounded(options.get("tt"), default.total_timeout_ms, 100, 55000),
            retries=_bounded(options.get("rc"), default.retries, 0, 5),
            retry_on=retry_on,
        )
        return url, config


def _bounded(value, default, low, high):
    try:
        return min(max(int(value), low), high)
    except (TypeError, ValueError):
        return default


class CallbackFailed(Exception):
    """The URL gave no 2xx answer, after the retries its configuration allows."""

    def __init__(self, reason, response=None):
        super().__init__(reason)
        self.reason = reason  # one of RETRY_POLICIES, or REFUSED
        self.response = response


def new_session():
    session = requests.Session()
    session.trust_env = False  # callbacks go straight to the app, never through a proxy
    return session


def method_or_default(method):
    """A callback method as given to the API or in XML: GET or POST (Plivo's default)."""
    method = (method or "POST").strip().upper()
    return method if method in METHODS else None


def send(session, url, params, method="POST"):
    """Request `url` as Plivo does, retrying by its configuration; the 2xx response, or CallbackFailed.

    A URL outside PUBLIC_BASE_URL (an action or redirect URL in the app's XML, say) is
    never requested: it fails at once, as a URL that cannot be reached.
    """
    if not is_under_public_base_url(url):
        logger.warning("Sandbox: refused to request %r: not under PUBLIC_BASE_URL.", url)
        raise CallbackFailed(REFUSED)
    url, config = CallbackConfig.from_url(url)
    deadline = time.monotonic() + config.total_timeout_ms / 1000
    attempt = 0
    while True:
        attempt += 1
        remaining = max(deadline - time.monotonic(), 0.1)
        timeout = (min(config.connect_timeout_ms / 1000, remaining), min(config.read_timeout_ms / 1000, remaining))
        try:
            response = _signed_request(session, method, url, params, timeout)
        except requests.ConnectTimeout:
            failure = CallbackFailed("ct")
        except requests.Timeout:
            failure = CallbackFailed("rt")
        except requests.RequestException:
            failure = CallbackFailed("ct")  # refused or reset: the connection failed
        else:
            if 200 <= response.status_code < 300:
                return response
            failure = CallbackFailed("4xx" if response.status_code < 500 else "5xx", response)
        if attempt > config.retries or failure.reason not in config.retry_on or time.monotonic() >= deadline:
            raise failure


def _signed_request(session, method, url, params, timeout):
    headers = sign_v3(method=method, url=url, params=params, auth_token=app_settings.auth_token)
    if method == "GET":
        separator = "&" if "?" in url else "?"
        full_url = url + separator + urlencode(params) if params else url
        with _seen_lock:
            _seen_urls.append(full_url)
        return session.get(full_url, headers=headers, timeout=timeout, allow_redirects=False)
    with _seen_lock:
        _seen_urls.append(url)
    return session.post(url, data=params, headers=headers, timeout=timeout, allow_redirects=False)


def forget_seen_urls():
    """Start the record of called URLs afresh (for a test that looks at one call's)."""
    with _seen_lock:
        _seen_urls.clear()


def seen_urls():
    """The URLs the sandbox called lately (with their query strings), oldest first."""
    with _seen_lock:
        return list(_seen_urls)


def plivo_number(number):
    """Plivo's callbacks carry numbers without the leading '+'."""
    return number.lstrip("+")
