# make run   - serve the whole product on the embedded defaults at http://$(HOST_PORT)
# make serve - the production stack: gunicorn, a Celery worker and beat (see README)
# make test  - lint, then the whole suite, against PostgreSQL, Redis and a real Celery worker
# make bench - benchmarks
# make soak  - a long fault run, outside CI

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST_PORT ?= 127.0.0.1:8000

.PHONY: install run serve lint test bench soak clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Development settings for `make run` and for `manage.py` in a second shell.
# Variables set in the environment always win over this file.
.env:
	@echo "DJANGO_DEBUG=1" > $@
	@echo "DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> $@
	@echo "wrote .env (development settings)"

# PUBLIC_BASE_URL follows HOST_PORT (unless set), in .env too, so that manage.py in a
# second shell talks to the server this started.
run: install .env
	@command -v espeak-ng >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng; } || echo "espeak-ng not installed: the sandbox phone shows calls as text only"
	@url="$${PUBLIC_BASE_URL:-http://$(HOST_PORT)}"; \
	  grep -qx "PUBLIC_BASE_URL=$$url" .env || { sed -i '/^PUBLIC_BASE_URL=/d' .env; echo "PUBLIC_BASE_URL=$$url" >> .env; echo "PUBLIC_BASE_URL=$$url (in .env)"; }
	$(PY) manage.py migrate --noinput
	PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST_PORT)}" $(PY) manage.py run_embedded $(HOST_PORT)

# The production stack on DATABASE_URL, REDIS_URL, CELERY_BROKER_URL and Plivo's
# credentials; DJANGO_DEBUG stays off unless the environment sets it.
serve: install
	HOST_PORT=$(HOST_PORT) $(PY) -m otpsite.serve

lint: install
	$(VENV)/bin/ruff check .

test: install lint
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@fc-list | grep -q Devanagari || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core; }  # the Hindi screenshots
	@command -v espeak-ng >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng || echo "espeak-ng not installed: the sandbox audio test is skipped"
	$(PY) -m pytest

# Part one needs wrk (Debian's package); BENCH_* variables in bench/http.py.
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) -m bench

# A long fault run (outside CI): 1000 verifications while workers are killed,
# Redis is down for 20 s and PostgreSQL restarts; prints lost / duplicate.
soak: install
	$(PY) -m tests.soak

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
