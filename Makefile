# Gerai UMKM Kota Serang. `make run` serves the site with demo data; `make test` runs
# the whole suite. Both set up everything they need on a fresh machine.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test setup browser lint format messages check-deploy benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

# Browser tests drive Debian's Chromium; install it when it is missing and we are root.
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Install Debian's chromium (sudo apt-get install chromium)"; exit 1; \
	  fi; }

# The background worker (db_worker) runs beside the server, in a session of its own
# so that Ctrl+C reaches it only through the trap, and stops when the server stops.
run: setup
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@DEBUG=1 setsid $(BIN)/python manage.py db_worker & worker=$$!; \
	  trap 'kill -TERM -'$$worker' 2>/dev/null; wait' EXIT; \
	  trap 'exit 130' INT TERM; \
	  DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# Ends with a coverage report of the apps (only a report: no threshold).
test: setup browser
	$(BIN)/pytest --cov --cov-report=term:skip-covered

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates/
	$(BIN)/python manage.py makemigrations --check --dry-run

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates/

# Refresh the Indonesian catalogue after changing strings (needs GNU gettext).
messages: setup
	$(BIN)/python manage.py makemessages --locale id --ignore '.venv/*' --ignore 'staticfiles/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --locale id --ignore '.venv/*'

check-deploy: setup
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=gerai-umkm.serangkota.go.id \
	  SITE_URL=https://gerai-umkm.serangkota.go.id \
	  CACHE_BACKEND=serang_umkm.cache.FailSoftRedisCache \
	  CACHE_LOCATION=redis://127.0.0.1:6379/1 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles test-results .coverage
