"""Start the site as a user would (`make run`, `make serve`) in a process of its own,
and talk to it over real HTTP."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.settings import TEST_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]
# What tests/settings.py put in this process's environment: never for a site under test.
TEST_ONLY = {"DJANGO_SETTINGS_MODULE", *TEST_ENVIRONMENT}
SERVER_ERROR = re.compile(r'" 5\d\d ')  # an access-log line of a 5xx answer


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_env(**values):
    """A clean environment for a site process: the machine's, none of the suite's, plus `values`."""
    env = {name: value for name, value in os.environ.items() if name not in TEST_ONLY}
    env.update({"DJANGO_ENV_FILE": "", "PYTHONUNBUFFERED": "1"})
    env.update({name: str(value) for name, value in values.items() if value is not None})
    return env


def manage(env, *args):
    """`python manage.py ...` in the site's environment; returns its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def create_api_key(env, name="tests"):
    return manage(env, "create_api_key", name).strip().splitlines()[-1]


def start(command, env, log_path):
    """Start `command` in a session of its own (so it can be stopped with all its children)."""
    log = open(log_path, "wb")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    process.log = log
    process.log_path = log_path
    return process


def stop(process, *, timeout=40, group=True):
    """SIGTERM to the process and its children (or, with group=False, to the process
    alone, as a process manager would); returns the exit code."""
    if process.poll() is None:
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if not process.log.closed:
        process.log.close()
    return process.returncode


def log_text(process):
    process.log.flush()
    return Path(process.log_path).read_text(errors="replace")


def session():
    http = requests.Session()
    http.trust_env = False  # loopback only, never a proxy
    return http


def wait_until_up(process, url, *, timeout=60):
    deadline = time.monotonic() + timeout
    http = session()
    while True:
        if process.poll() is not None:
            raise AssertionError(f"The site exited with {process.returncode}:\n{log_text(process)[-4000:]}")
        try:
            if http.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"The site did not come up at {url}:\n{log_text(process)[-4000:]}")
        time.sleep(0.2)


SPOKEN_CODE = re.compile(r"code is:? ((?:\d[ ,.]+){3,9}\d)")
SMS_CODE = re.compile(r"#(\d{4,10})\b")


class SiteClient:
    """The API and the sandbox inbox of a site under test, as an API consumer meets them."""

    def __init__(self, base_url, key=None, *, sandbox_auth=None):
        self.base_url = base_url.rstrip("/")
        self.http = session()
        self.headers = {"Authorization": f"Api-Key {key}"} if key else {}
        self.sandbox_auth = sandbox_auth  # (auth id, token): the inbox with DEBUG off

    def api(self, method, path, json=None):
        return self.http.request(method, f"{self.base_url}/api/v1/{path}", json=json, headers=self.headers, timeout=60)

    def create(self, phone_number, channel="call", **fields):
        return self.api("POST", "verifications", {"phone_number": phone_number, "channel": channel, **fields})

    def get(self, verification_id):
        return self.api("GET", f"verifications/{verification_id}")

    def check(self, verification_id, code):
        return self.api("POST", f"verifications/{verification_id}/check", {"code": code})

    def cancel(self, verification_id):
        return self.api("POST", f"verifications/{verification_id}/cancel")

    def inbox(self, to):
        response = self.http.get(
            f"{self.base_url}/sandbox/inbox/", params={"to": to}, auth=self.sandbox_auth, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def code_sent_to(self, to, *, timeout=60):
        """The code the sandbox phone received (heard in a call, or read in an SMS)."""
        deadline = time.monotonic() + timeout
        while True:
            for entry in self.inbox(to):
                pattern = SPOKEN_CODE if entry["channel"] == "call" else SMS_CODE
                found = pattern.search(entry["text"])
                if found:
                    return re.sub(r"\D", "", found.group(1))
            if time.monotonic() > deadline:
                raise AssertionError(f"No code reached {to} in {timeout} s: {self.inbox(to)}")
            time.sleep(0.2)


def worker_command(*extra):
    return [
        sys.executable, "-m", "celery", "-A", "otpsite", "worker", "--pool=solo", "--loglevel=INFO",
        "--without-heartbeat", "--without-mingle", "--without-gossip", *extra,
    ]  # fmt: skip


def database_url_of_tests():
    """The URL of the database pytest-django made, for a worker process to use."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class PrivateRedis:
    """A redis-server of the test's own (its own port and directory), to stop and start at will."""

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("the private redis-server did not start") from None
                time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
