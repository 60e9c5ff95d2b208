"""Settings for otpsite, read from the environment (django-environ).

Defaults are production-safe (DEBUG off) and embedded: a SQLite file, the
process-local cache, eager Celery tasks and the sandbox carrier. `make run`
writes a `.env` with development values; `DATABASE_URL`, `REDIS_URL`,
`CELERY_BROKER_URL` and Plivo credentials move the same code to PostgreSQL,
Redis, Celery workers and the real Plivo.
"""

import hashlib
import os
import tempfile
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from verification import conf as verification_conf
from verification.api import openapi_settings
from verification.schedule import beat_schedule

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and os.path.exists(ENV_FILE):
    env.read_env(ENV_FILE)  # never overrides variables already set

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = "development-only-secret-key-not-for-production"
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "phonenumber_field",
    "verification.apps.VerificationConfig",
    "verification.contrib.sandbox.apps.SandboxConfig",
    "verification.contrib.accounts.apps.AccountsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "verification.middleware.RequestTooLargeMiddleware",  # 413 before anything reads the body
    "verification.middleware.DependencyUnavailableMiddleware",
    "verification.middleware.SessionMiddleware",  # Django's; a session the database cannot save is a 503
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "verification.middleware.CSPMiddleware",  # django-csp's, its header built once
    "verification.middleware.ConnectionCheckMiddleware",  # CONN_HEALTH_CHECKS without a SELECT 1 each request
]

if not DEBUG:
    # Static files with DEBUG off (make serve): WhiteNoise, right after SecurityMiddleware.
    # With DEBUG on, runserver serves them itself.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "otpsite.urls"
WSGI_APPLICATION = "otpsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# One connection per gunicorn thread, kept between requests (a new PostgreSQL connection
# costs more than most requests); checked before reuse, so a restarted server costs one retry
# (verification.middleware.ConnectionCheckMiddleware: by looking at its socket, not a SELECT 1).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # runserver's threads, the sandbox's call threads and a second shell share one
    # file. WAL lets readers run beside the writer; IMMEDIATE takes the write lock
    # when a transaction begins, so a writer waits (up to `timeout`) instead of
    # failing at once with "database is locked" on a read-to-write upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# The rate limits and the fraud guard on a Redis Cluster (redis://host:port of any node);
# django-redis has no cluster client, so the cache itself stays on REDIS_URL.
REDIS_CLUSTER_URL = env.str("REDIS_CLUSTER_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="otpsite"),
            # Redis down or unreachable: fail in a second or two (a 503), never hang a request.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
    CACHES["ratelimit"] = CACHES["default"]
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Without Redis, rate limits still hold across the processes of one
        # machine (runserver and manage.py in a second shell): a file cache.
        "ratelimit": {
            "BACKEND": "verification.caches.WindowFileCache",  # never culls a live window or block
            "LOCATION": env.str("RATELIMIT_CACHE_DIR", default=str(BASE_DIR / ".cache" / "ratelimit")),
        },
    }

# Who hears about fraud-guard blocks and server errors (mail_admins), and how mail leaves:
# DJANGO_ADMINS=ops@example.com,security@example.com and EMAIL_URL=smtp+tls://user:pass@host:587
# (django-environ's form; the default prints mail to the console).
ADMINS = [("", address) for address in env.list("DJANGO_ADMINS", default=[])]
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL = env.str("DJANGO_SERVER_EMAIL", default="otpsite@localhost")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The pages' languages: the catalogues the calls and SMS speak (verification/locales.py), each named in
# itself for the footer's switch. LocaleMiddleware picks one from the language cookie or Accept-Language.
LANGUAGES = [
    ("en", "English (US)"),
    ("en-gb", "English (UK)"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("hi", "हिन्दी"),
    ("pt-br", "Português (Brasil)"),
]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "verification" / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# With DEBUG off, WhiteNoise serves what `collectstatic` gathered (make serve runs it),
# compressed and under hashed names that can be cached forever.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
LOGIN_URL = "/accounts/login/"

# Content-Security-Policy (django-csp): our own scripts and styles only, never inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Behind TLS-terminating proxies (README, "Behind a proxy"); verification/net.py applies it.
# DJANGO_BEHIND_PROXY: one proxy in front. DJANGO_TRUSTED_PROXY_COUNT: how many append to
# X-Forwarded-For (2 for a CDN, then nginx). X-Forwarded-For is read only from a peer in
# DJANGO_TRUSTED_PROXIES (addresses or networks; "*" for any peer), and each proxy on the way
# must be in it too; the default is a proxy on this host.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more.")
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
from verification.net import trusted_networks  # noqa: E402  (refuses a bad entry at startup)

trusted_networks(TRUSTED_PROXIES)
if BEHIND_PROXY or TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG and env.bool("DJANGO_SECURE_COOKIES", default=True)
# The footer's language choice (set_language) is a cookie like the others; no script reads it.
LANGUAGE_COOKIE_SECURE, LANGUAGE_COOKIE_HTTPONLY, LANGUAGE_COOKIE_SAMESITE = SESSION_COOKIE_SECURE, True, "Lax"
# HTTPS everywhere once the site is served over TLS (see `manage.py check --deploy`).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["verification.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["verification.api.authentication.HasApiKey"],
    "DEFAULT_PARSER_CLASSES": ["verification.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "verification.api.schema.VerificationAutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",  # with our handler class below
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = openapi_settings.SCHEMA_SETTINGS  # the API views apply them themselves too
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "verification.api.errors.ExceptionHandler",
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "429", "500", "503"],
    # Our own codes (e.g. invalid_phone_number, unknown_field, resend_cooldown) in the documented shape.
    "ERROR_SCHEMAS": {
        "400": "verification.api.schema.ErrorResponseSerializer",
        "403": "verification.api.schema.ForbiddenErrorResponseSerializer",
        "409": "verification.api.schema.ConflictErrorResponseSerializer",
        "413": "verification.api.schema.ErrorResponseSerializer",
        "422": "verification.api.schema.ErrorResponseSerializer",
        "429": "verification.api.schema.ErrorResponseSerializer",
        "503": "verification.api.schema.ErrorResponseSerializer",
    },
}

# Celery: eager (in process) unless a broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"  # eager: nothing is sent to a broker, and no warning about one
# Eager tasks behave like a worker's: errors are logged, retries run in place.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Beat's schedule state lives outside the repository (a runtime file, not source).
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME",
    default=os.path.join(tempfile.gettempdir(), f"otpsite-celerybeat-{hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:8]}"),
)
# A message a worker took but never acknowledged (it was killed) goes back to the
# queue after this long; Redis's default is an hour. Longer than any countdown
# (retry backoff, fallback), or such tasks would be handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=360)}
# A publish that fails is tried once more, not three times: a delivery not handed over stays
# `queued` and the sweeper hands it over within seconds, so the create need not wait (with a
# broker that stopped answering, each try is its 2 s timeout: creates answered after ~11 s).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    # A broker that takes connections and stops answering (frozen, failing over, cut off
    # without a reset) fails a publish or a health check in seconds, as the cache does,
    # instead of holding the request's thread until it answers again (kombu waits for ever).
    CELERY_BROKER_TRANSPORT_OPTIONS |= {"socket_timeout": 2, "socket_connect_timeout": 2}

# The verification settings of the contract (defaults in verification/conf.py).
globals().update(verification_conf.validate(verification_conf.read_environment(env)))

# The sandbox carrier speaks for Plivo: it must never run by accident in production.
SANDBOX_ENABLED = DEBUG or VERIFICATION_SANDBOX_IN_PRODUCTION
CELERY_BEAT_SCHEDULE = beat_schedule(
    sweep_every=VERIFICATION_SWEEP_INTERVAL_SECONDS, accounts=True, sandbox=SANDBOX_ENABLED
)
if VERIFICATION_CARRIER == "sandbox" and not SANDBOX_ENABLED:
    raise ImproperlyConfigured(
        "The sandbox carrier refuses to start with DJANGO_DEBUG off. Set VERIFICATION_CARRIER=plivo "
        "with Plivo credentials, or VERIFICATION_SANDBOX_IN_PRODUCTION=1 if you really mean it."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # One line per eager task would clutter `manage.py` output; workers log their own.
    "loggers": {
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        "kombu.connection": {"level": "ERROR" if CELERY_TASK_ALWAYS_EAGER else "WARNING"},
    },
}
