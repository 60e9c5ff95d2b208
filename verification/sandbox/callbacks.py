"""The requests the sandbox sends to the app, signed as Plivo signs them."""

import collections
import threading

import requests

from ..conf import app_settings
from ..signatures import sign_v3

TIMEOUT_SECONDS = 10

# The last URLs called, so tests can check that nothing secret ever sits in one.
_seen_urls = collections.deque(maxlen=1000)
_seen_lock = threading.Lock()


def new_session():
    session = requests.Session()
    session.trust_env = False  # callbacks go straight to the app, never through a proxy
    return session


def post_signed(session, url, params):
    """POST `params` form-encoded to `url`, signed with the auth token like Plivo's callbacks."""
    # Always POST, whatever method the app named: form bodies keep digits out of URLs and logs.
    headers = sign_v3(method="POST", url=url, params=params, auth_token=app_settings.auth_token)
    with _seen_lock:
        _seen_urls.append(url)
    return session.post(url, data=params, headers=headers, timeout=TIMEOUT_SECONDS)


def seen_urls():
    """The URLs the sandbox called lately, oldest first."""
    with _seen_lock:
        return list(_seen_urls)


def plivo_number(number):
    """Plivo's callbacks carry numbers without the leading '+'."""
    return number.lstrip("+")
