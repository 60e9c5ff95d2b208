# make run   - serve the whole product on the embedded defaults at http://127.0.0.1:8000
# make test  - the whole suite, against PostgreSQL, Redis and a real Celery worker
# make bench - benchmarks

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST_PORT ?= 127.0.0.1:8000

.PHONY: install run test bench worker clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Development settings for `make run` and for `manage.py` in a second shell.
# Variables set in the environment always win over this file.
.env:
	@echo "DJANGO_DEBUG=1" > $@
	@echo "PUBLIC_BASE_URL=http://$(HOST_PORT)" >> $@
	@echo "DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> $@
	@echo "wrote .env (development settings)"

run: install .env
	@command -v espeak-ng >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng; } || echo "espeak-ng not installed: the sandbox phone shows calls as text only"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py runserver $(HOST_PORT)

test: install
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@command -v espeak-ng >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng || echo "espeak-ng not installed: the sandbox audio test is skipped"
	$(PY) -m pytest

bench: install
	$(PY) -m bench

worker: install
	$(VENV)/bin/celery -A otpsite worker --loglevel=INFO --beat

clean:
	rm -rf $(VENV) db.sqlite3
