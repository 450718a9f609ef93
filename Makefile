# Oracle — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install check lint bench clean

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Oracle needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

## Set up (once) and serve the site with demo content at http://127.0.0.1:$(PORT)/
run: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 PORT=$(PORT) $(PY) manage.py setup_demo
	DJANGO_DEBUG=1 PORT=$(PORT) $(PY) manage.py refresh_published_pages
	DJANGO_DEBUG=1 PORT=$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole test suite (SQLite by default; set DATABASE_URL=postgres://... for PostgreSQL)
test: $(STAMP)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(PYTEST_ARGS)

## Django's system checks with production settings
check: $(STAMP)
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
