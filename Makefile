# Two set-up commands: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev migrate seed vendor migration bench lint clean security soak

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

instance/.secret_key:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

migrate: install instance/.secret_key
	SECRET_KEY=$$(cat instance/.secret_key) $(FLASK) db upgrade

seed: migrate
	SECRET_KEY=$$(cat instance/.secret_key) $(FLASK) seed

## Install, migrate, load reference and demo data, serve on http://127.0.0.1:5000
run: seed
	@echo "Portaal: http://$(HOST):$(PORT)"
	@if [ -z "$$MAIL_SERVER" ]; then echo "E-mail: geen MAIL_SERVER ingesteld, er gaat geen mail weg. Meldingen staan na inloggen op http://$(HOST):$(PORT)/account/meldingen"; fi
	SECRET_KEY=$$(cat instance/.secret_key) $(FLASK) run --host $(HOST) --port $(PORT)

## Install the dev dependencies, lint, and run the whole suite
test: install-dev lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## Ruff over all the Python code, mypy over the packages pyproject.toml names (portal/domain, portal/core)
lint: install-dev
	$(VENV)/bin/ruff check portal tests seeds bench scripts
	$(VENV)/bin/mypy

## Static security scan: fails on any finding of high severity
security: install-dev
	$(VENV)/bin/bandit -r portal -lll -q

## Re-fetch htmx, Leaflet, axe-core ... from the npm registry
vendor:
	scripts/vendor.sh

## Regenerate the initial migration from the models (before the first release only)
migration: install
	scripts/regen_migration.sh

## Benchmark at national scale, every target of issue 21 with met/missed (scales 1, 3 and 10; gunicorn 3 workers,
## wrk, Datasette, Flask hello; 12-30 min): bench/results.json, with DATABASE_URL bench/results-postgresql.json
BENCH_VENV := bench/.venv
$(BENCH_VENV)/.installed: requirements.txt bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -r requirements.txt -r bench/requirements.txt
	touch $@

bench: $(BENCH_VENV)/.installed
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; } || \
		{ echo "Installeer wrk (apt-get install wrk)"; exit 1; }
	$(BENCH_VENV)/bin/python bench/run.py

## Load and faults: 40 clients for 60 s against gunicorn and a private PostgreSQL, restarted midway
## (SOAK_CLIENTS, SOAK_SECONDS, SOAK_OUTAGE; needs the PostgreSQL server binaries, e.g. postgresql-15)
soak: install
	$(PY) scripts/soak.py

clean:
	rm -rf $(VENV) .pytest_cache
