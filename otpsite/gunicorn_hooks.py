"""gunicorn's hooks for `make serve` (otpsite/serve.py passes `-c python:otpsite.gunicorn_hooks`).

A Django process holds about 130,000 objects once its URLs and views are imported, and
CPython's full garbage collection walks all of them: about 70 ms on a 2-core machine,
during which every thread of the worker stops (the GIL), so a collection that falls
inside a request shows as a slow request (README, "Performance": p99 at half load).
They live as long as the process, so each worker imports its views, then freezes what
it holds (`gc.freeze`): later collections walk only what requests made.
"""

import gc


def post_worker_init(worker):
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- the access imports every view module, now rather than in a request
    gc.collect()
    gc.freeze()
