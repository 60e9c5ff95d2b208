"""Small helpers shared by tests."""

from verification.codes import decrypt_code
from verification.conf import app_settings
from verification.signatures import sign_v3


def code_of(verification):
    """The code, as only the call would read it (tests stand in for the phone)."""
    verification.refresh_from_db()
    return decrypt_code(verification.code_encrypted)


def signed_post(client, path, data=None, *, token=None):
    """POST to a Plivo-facing view as Plivo would: form-encoded and signed."""
    data = data or {}
    url = app_settings.public_base_url + path
    headers = sign_v3(method="POST", url=url, params=data, auth_token=token or app_settings.auth_token)
    return client.post(path, data, headers=headers)


def wait_for(predicate, *, timeout=20.0, interval=0.05, message="condition"):
    """Wait for something another thread or process does; fails after `timeout`."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {message}")
        time.sleep(interval)


def inbox(live_server, to):
    """The sandbox inbox for `to`, read over HTTP as a developer would."""
    import requests

    session = requests.Session()
    session.trust_env = False
    response = session.get(f"{live_server.url}/sandbox/inbox/?to={to}", timeout=10)
    response.raise_for_status()
    return response.json()


def spoken_code(text):
    """The code a call read out, from the sandbox's record of what it said."""
    import re

    return re.search(r"verification code is: (\d(?:, \d)*)", text).group(1).replace(", ", "")
