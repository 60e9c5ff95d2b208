"""The product's own settings, with one more URL: the plain view the bench compares with.

Selected only by the bench's environment (DJANGO_SETTINGS_MODULE=bench.settings): the
production URLconf never routes the plain view.
"""

from otpsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
