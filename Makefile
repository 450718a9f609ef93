# Oracle — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
# Development settings for this checkout's manage.py (read by manage.py only; git-ignored).
DOTENV ?= .env

.PHONY: run worker dotenv test install check lint bench clean validators

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Oracle needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

## Set up (once) and serve the site with demo content at http://127.0.0.1:$(PORT)/,
## with the effects worker beside the server (Ctrl-C stops both)
run: $(STAMP) dotenv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py refresh_published_pages
	$(PY) manage.py setup_demo
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py worker & worker=$$!; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

## The effects worker alone (page files, cache retirement, email, periodic jobs), for the configured
## task backend and with the site's environment (.env if `make run` wrote one); run one or more.
worker: $(STAMP)
	$(PY) manage.py worker

## Write .env: this checkout's manage.py uses the development settings and the address `make run` serves on.
## Lines you add to .env are kept; the two below are rewritten (with the current PORT) on every run.
dotenv:
	@{ echo '# (make run) Development settings for manage.py in this checkout; gunicorn never reads this file.'; \
	   echo '# (make run) The next two lines are rewritten by every `make run`; lines you add are kept.'; \
	   echo '# (make run) A variable set in your environment wins over this file.'; \
	   echo 'DJANGO_SETTINGS_MODULE=oracle.settings_dev'; \
	   echo 'ORACLE_BASE_URL=http://127.0.0.1:$(PORT)'; \
	   if [ -f '$(DOTENV)' ]; then \
	     grep -v -e '^# (make run)' -e '^DJANGO_SETTINGS_MODULE=' -e '^ORACLE_BASE_URL=' '$(DOTENV)' || true; \
	   fi; \
	 } > '$(DOTENV).new' && mv '$(DOTENV).new' '$(DOTENV)'
	@echo '$(DOTENV): manage.py now uses the development settings (oracle.settings_dev), site at http://127.0.0.1:$(PORT)/'

## The whole test suite (SQLite by default; set DATABASE_URL=postgres://... for PostgreSQL)
test: $(STAMP)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(PYTEST_ARGS)

## axe-core and the Nu Html Checker for the public-page validity tests (npm; Java 17 runs the checker)
validators:
	npm ci --ignore-scripts --no-audit --no-fund

## Django's system checks with production settings
## (explicitly oracle.settings with DEBUG off: a development .env does not apply)
check: $(STAMP)
	DJANGO_SETTINGS_MODULE=oracle.settings DJANGO_DEBUG=0 \
	DJANGO_SECRET_KEY=check-only-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n') DJANGO_ALLOWED_HOSTS=example.org \
		$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

## Lint and format check (ruff)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Throughput benchmark on loopback (installs wrk and nginx if missing; ANSWERS=10000)
ANSWERS ?= 10000
bench: $(STAMP)
	$(PY) bench/http_bench.py --answers $(ANSWERS)
