"""`make serve`: the production stack in the foreground, in one command.

Migrates and collects the static files, then runs gunicorn, a Celery worker
and Celery beat side by side. Ctrl-C or SIGTERM stops all three; if one of
them dies, the others are stopped too and the exit code says so, so a process
manager (systemd, a container runtime) restarts the whole stack.

DJANGO_DEBUG is off unless the environment itself sets it: a development
`.env` (written by `make run`) cannot switch it on here.
"""

import os
import signal
import subprocess
import sys
import time

STOP_TIMEOUT_SECONDS = 30


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
    processes = {name: subprocess.Popen(command, env=env) for name, command in commands(env).items()}
    exit_code = 0
    try:
        while not stopping:
            ended = {name: p.returncode for name, p in processes.items() if p.poll() is not None}
            if ended:
                name, exit_code = next(iter(ended.items()))
                print(f"serve: {name} exited with {exit_code}; stopping the others.", file=sys.stderr)
                exit_code = exit_code or 1
                break
            time.sleep(0.2)
    finally:
        stop(processes)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
