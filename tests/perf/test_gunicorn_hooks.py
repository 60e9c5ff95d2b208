"""A gunicorn worker freezes what it holds once its views are imported (otpsite/gunicorn_hooks.py),
so CPython's full collections no longer walk Django's ~100,000 startup objects in a request."""

import gc

from django.urls import get_resolver

from otpsite import gunicorn_hooks
from otpsite.serve import web_command


def test_make_serve_runs_gunicorn_with_the_hooks():
    command = web_command({})
    assert command[command.index("--config") + 1] == "python:otpsite.gunicorn_hooks"


def test_a_worker_imports_its_views_and_freezes_them():
    try:
        gunicorn_hooks.post_worker_init(worker=None)
        assert "url_patterns" in vars(get_resolver())  # the views imported
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        # What was frozen is no longer walked: a full collection now looks at what came after.
        assert len(gc.get_objects(generation=2)) < frozen
    finally:
        gc.unfreeze()
