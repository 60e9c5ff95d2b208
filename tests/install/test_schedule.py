"""The periodic tasks a site adds to Celery beat name tasks that exist."""

from django.conf import settings

from otpsite.celery import app as celery_app
from verification.schedule import beat_schedule


def registered_tasks():
    celery_app.loader.import_default_modules()  # what a worker imports at start
    return set(celery_app.tasks)


def test_every_task_of_the_schedule_is_one_a_worker_knows():
    schedule = beat_schedule(sweep_every=5, accounts=True, sandbox=True)
    assert {entry["task"] for entry in schedule.values()} <= registered_tasks()
    assert schedule["sweep-deliveries"]["schedule"] == 5.0


def test_this_deployment_runs_the_apps_schedule():
    assert set(beat_schedule()) <= set(settings.CELERY_BEAT_SCHEDULE)
    assert settings.CELERY_BEAT_SCHEDULE["sweep-deliveries"]["schedule"] == settings.VERIFICATION_SWEEP_INTERVAL_SECONDS
