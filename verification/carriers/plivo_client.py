"""Build `plivo.RestClient`s that talk to the real Plivo or to the sandbox.

The SDK hard-codes https://api.plivo.com and resets its base URI on every
request, so to reach the sandbox we mount a `requests` adapter on the
client's session that rewrites that prefix to the sandbox's address: the
SDK's whole code path (validation, JSON, auth, errors) still runs.
"""

import plivo
from requests.adapters import HTTPAdapter

from ..conf import app_settings

PLIVO_API_PREFIX = "https://api.plivo.com/v1"


class SingleRequestClient(plivo.RestClient):
    """One HTTP request per API call.

    On a 5xx the SDK's voice requests POST twice more by themselves ("Fallback
    for URL", printed to stdout; all three to the same host): with our own
    retries one delivery could POST 18 times. Whether and when to try again is
    our backoff's decision, so the call goes the plain way.
    """

    def request(self, method, path=None, data=None, response_type=None, objects_type=None, files=None, **kwargs):
        kwargs.pop("is_voice_request", None)
        return super().request(method, path, data, response_type, objects_type, files, **kwargs)


def remember_status(client):
    """Keep the HTTP status of the client's last answer on it: the SDK raises a bare
    PlivoRestError for 402, 413, 429, 502, 503..., and the status decides a retry."""
    client.last_status = None

    def hook(response, *args, **kwargs):
        client.last_status = response.status_code

    client.session.hooks["response"].append(hook)
    return client


class RewritingAdapter(HTTPAdapter):
    """Sends requests for `prefix` to `target` instead."""

    def __init__(self, prefix, target, **kwargs):
        self.prefix = prefix
        self.target = target.rstrip("/")
        super().__init__(**kwargs)

    def send(self, request, **kwargs):
        if request.url.startswith(self.prefix):
            request.url = self.target + request.url[len(self.prefix) :]
        return super().send(request, **kwargs)


def make_rest_client(*, sandbox_url=None):
    """A RestClient from the settings; pointed at `sandbox_url` when given."""
    client = SingleRequestClient(
        auth_id=app_settings.auth_id,
        auth_token=app_settings.auth_token,
        timeout=app_settings.CARRIER_TIMEOUT_SECONDS,
    )
    remember_status(client)
    if app_settings.CARRIER == "sandbox" or sandbox_url:
        target = (sandbox_url or app_settings.sandbox_api_url) + "/v1"
        client.session.mount("https://api.plivo.com", RewritingAdapter(PLIVO_API_PREFIX, target))
        client.session.trust_env = False  # loopback: never through a proxy
    return client
