"""The README's API walkthrough, run in its own order by bash and curl against the live site and
the sandbox: each request gets the answer the README writes under it (`# → 201`)."""

import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DEV_SITE = "http://127.0.0.1:8000"
DONE = "@@step-done"
# The test's one addition: curl also writes each answer's status to stderr, where the step keeps it.
CURL_STATUS = "curl() { command curl -w '%{stderr}@@status %{http_code}\\n' \"$@\"; }"


def walkthrough():
    """The API section's shell block, as (command, the README's comment under it) steps."""
    section = README.read_text().split("\n## The API\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    steps, command = [], ""
    for line in block.splitlines():
        if command:  # a continued line
            command += "\n" + line
        elif line.startswith("#"):
            if steps:
                steps[-1][1].append(line)
            continue
        elif line.strip():
            command = line
        if command and not command.endswith("\\"):
            steps.append((command, []))
            command = ""
    return steps


def promised(comment):
    """The statuses the README writes under a command: `# → 201 ...`."""
    return re.findall(r"→ (\d{3})", "\n".join(comment))


def shown_fields(comment):
    """The fields the README shows in full under a command ("status": "pending"), not the elided ones (…)."""
    text = "\n".join(line.lstrip("# ") for line in comment)
    return [
        (key, value) for key, value in re.findall(r'"(\w+)": ("[^"]*"|true|false|null|\d+)', text) if "…" not in value
    ]


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Shell:
    """One bash kept between steps, so variables and functions carry over as in a terminal."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"], cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.errors = Path(tempfile.mkdtemp()) / "stderr"

    def run(self, command):
        """Run one step; returns (exit status, stdout, stderr)."""
        self.process.stdin.write(f"{{\n{command}\n}} 2>{self.errors}; rc=$?; echo; echo {DONE} $rc\n")
        self.process.stdin.flush()
        out = []
        for line in self.process.stdout:
            if line.startswith(DONE):
                return int(line.split()[1]), "".join(out), self.errors.read_text()
            out.append(line)
        raise AssertionError(f"bash ended during: {command}")

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


def test_the_readme_walkthrough_runs_in_order_and_each_answer_is_the_documented_one(live_site, clock):
    steps = walkthrough()
    assert sum(len(promised(comment)) for _, comment in steps) >= 8
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        # manage.py in the developer's second shell: the same database and settings as the site.
        "DJANGO_ENV_FILE": "",
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": "test-secret-key-for-the-suite-only",
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "otpsite-test"),
        "PUBLIC_BASE_URL": live_site.url,
    }
    shell = Shell(env)
    try:
        assert shell.run(CURL_STATUS)[0] == 0
        for command, comment in steps:
            sleep = re.fullmatch(r"sleep (\d+)", command)
            if sleep:  # the site's clock moves instead of the test waiting
                clock.advance(int(sleep[1]))
                continue
            command = command.replace(DEV_SITE, live_site.url)
            status, out, err = shell.run(command)
            answered = re.findall(r"@@status (\d{3})", err)
            assert status == 0, f"{command}\n{out}\n{err}"
            assert answered == promised(comment), f"{command}\nanswered {answered}, the README says {comment}\n{out}"
            for key, value in shown_fields(comment):
                assert re.search(rf'"{key}":\s*{re.escape(value)}', out), f"{command}\n{key}: {value} not in {out}"
        code = shell.run('echo "$CODE"')[1].strip()
    finally:
        shell.close()
    assert re.fullmatch(r"\d{6}", code)
