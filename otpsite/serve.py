"""`make serve`: the production stack in the foreground, in one command.

Migrates and collects the static files, then runs gunicorn, a Celery worker
and Celery beat side by side. Ctrl-C or SIGTERM stops all three. A worker or
beat that dies is started again (after 1 s, doubling to 30 s while it keeps
dying) and the site stays up: its deliveries wait in the broker, and the
sweeper sends what a dead worker left. If gunicorn's master dies (its own
workers it restarts itself), the others are stopped and the exit code says
so, for a process manager (systemd, a container runtime) to restart the stack.

DJANGO_DEBUG is off unless the environment itself sets it: a development
`.env` (written by `make run`) cannot switch it on here.
"""

import os
import signal
import subprocess
import sys
import time

STOP_TIMEOUT_SECONDS = 30
RESTART_FIRST_SECONDS, RESTART_MAX_SECONDS = 1.0, 30.0
STEADY_SECONDS = 60  # up this long, a restarted process's next restart waits the first delay again
RESTARTED = ("worker", "beat")  # the site stays up while they come back; the web server does not


def web_command(env):
    """gunicorn with worker threads: Plivo's answer and code callbacks must not
    queue behind a burst of API requests that wait on the database."""
    workers = env.get("WEB_CONCURRENCY") or str(os.cpu_count() or 2)
    threads = env.get("GUNICORN_THREADS") or "8"
    worker_class = env.get("GUNICORN_WORKER_CLASS") or "gthread"
    return [
        sys.executable, "-m", "gunicorn", "otpsite.wsgi",
        "--bind", env.get("HOST_PORT") or "127.0.0.1:8000",
        "--worker-class", worker_class, "--workers", workers, "--threads", threads,
        "--timeout", "30", "--graceful-timeout", "20",
        "--access-logfile", "-",
        "--no-control-socket",  # not used, and two stacks on one machine would share its path
        "--config", "python:otpsite.gunicorn_hooks",  # a worker's startup objects frozen (gc)
    ]  # fmt: skip


def commands(env):
    celery = [sys.executable, "-m", "celery", "-A", "otpsite"]
    return {
        "web": web_command(env),
        "worker": [*celery, "worker", "--loglevel=INFO"],
        "beat": [*celery, "beat", "--loglevel=INFO"],
    }


def prepare(env):
    """Run before anything serves: a failed migration stops here, with its own message."""
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True)


def spawn(command, env):
    """Each in a process group of its own, led by it, so that what it started can be
    ended with it. Ctrl-C reaches it through this supervisor (which stops them all)."""
    return subprocess.Popen(command, env=env, process_group=0)


def end_group(process):
    """SIGKILL to whatever is left in `process`'s group (its leader has exited)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def stop(processes):
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for process in processes.values():
        end_group(process)  # nothing left behind


def main():
    env = dict(os.environ)
    env["DJANGO_DEBUG"] = os.environ.get("DJANGO_DEBUG", "0")  # wins over any .env
    try:
        prepare(env)
    except subprocess.CalledProcessError as exc:
        return exc.returncode
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    to_run = commands(env)
    processes = {name: spawn(command, env) for name, command in to_run.items()}
    restarts = {name: Restarts() for name in RESTARTED}
    exit_code = 0
    try:
        while not stopping:
            for name, process in list(processes.items()):
                if process.poll() is None:
                    if name in restarts:
                        restarts[name].running()
                    continue
                if name not in restarts:
                    exit_code = process.returncode or 1
                    print(f"serve: {name} exited with {process.returncode}; stopping the others.", file=sys.stderr)
                    stopping = True
                    break
                wait = restarts[name].due()
                if wait is not None:
                    end_group(process)  # what it left behind: a killed worker's pool processes
                    print(f"serve: {name} exited with {process.returncode}; starting it again in {wait:.0f} s.", file=sys.stderr)
                elif restarts[name].may_start():
                    print(f"serve: starting {name} again.", file=sys.stderr)
                    processes[name] = spawn(to_run[name], env)
            time.sleep(0.2)
    finally:
        stop(processes)
    return exit_code


class Restarts:
    """When a dead worker or beat may start again: 1 s after it died, the delay doubling
    (to 30 s) each time it dies again within a minute of its start."""

    def __init__(self):
        self.delay = RESTART_FIRST_SECONDS
        self.started_at = time.monotonic()
        self.start_at = None

    def running(self):
        if self.start_at is None and time.monotonic() - self.started_at >= STEADY_SECONDS:
            self.delay = RESTART_FIRST_SECONDS

    def due(self):
        """On first seeing it dead: the wait before it starts again (else None)."""
        if self.start_at is not None:
            return None
        self.start_at = time.monotonic() + self.delay
        return self.delay

    def may_start(self):
        if time.monotonic() < self.start_at:
            return False
        self.delay = min(self.delay * 2, RESTART_MAX_SECONDS)
        self.started_at, self.start_at = time.monotonic(), None
        return True


if __name__ == "__main__":
    sys.exit(main())
