"""The Celery app: configured from Django settings (CELERY_*), tasks found in apps."""

import os

from celery import Celery

from verification.brokers import release_prefetch_slot_on_failed_ack

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otpsite.settings")

app = Celery("otpsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# kombu's Redis transport keeps a prefetch slot when an ack meets a Redis that stopped
# answering: after two, the worker consumes nothing more (verification/brokers.py).
release_prefetch_slot_on_failed_ack()
