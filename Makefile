# The two commands: `make run` (embedded default: SQLite, no Redis, demo data) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test install install-dev assets static migrate seed lint format messages bench bench-transfers \
        bench-pages \
        check-deploy bench clean

help:
	@echo "make run      set everything up and serve http://$(HOST):$(PORT) (SQLite, demo users)"
	@echo "make test     the whole test suite (DATABASE_URL / REDIS_URL to use PostgreSQL / Redis)"
	@echo "make lint     ruff check + ruff format --check + makemigrations --check"
	@echo "make messages refresh and compile the Indonesian translations"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.runtime node_modules/.installed
install-dev: $(VENV)/.dev node_modules/.installed

static: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_factory

run: static seed
	@echo "Serving on http://$(HOST):$(PORT)/ - log in as admin, manager, sewing, ... (password: Admin@123)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages -l id --ignore=.venv --ignore=node_modules --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l id --ignore=.venv

clean:
	rm -rf staticfiles .pytest_cache

# --- benchmarks (not part of `make test`; CI runs them tiny to prove they work) -----------------
BENCH_PG       ?= postgres://postgres@127.0.0.1:5432
BENCH_DB       ?= erp_bench
BENCH_CLIENTS  ?= 4
BENCH_TRANSFERS ?= 200
BENCH_SECONDS  ?= 10

bench: bench-transfers

bench-transfers: install-dev
	psql "$(BENCH_PG)/postgres" -qc "DROP DATABASE IF EXISTS $(BENCH_DB)" -c "CREATE DATABASE $(BENCH_DB)"
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/python manage.py bench_transfers \
	  --clients $(BENCH_CLIENTS) --transfers $(BENCH_TRANSFERS) --seconds $(BENCH_SECONDS)

# A month of factory activity in a scratch database, then p50/p95 of the dashboard, the analytics
# pages and the main list pages (docs/benchmarks.md records the figures).
BENCH_PAGES_DB       ?= erp_bench_pages
BENCH_DAYS           ?= 30
BENCH_MOS_PER_DAY    ?= 6
BENCH_BATCHES_PER_MO ?= 10
BENCH_REQUESTS       ?= 20

bench-pages: install-dev
	psql "$(BENCH_PG)/postgres" -qc "DROP DATABASE IF EXISTS $(BENCH_PAGES_DB)" -c "CREATE DATABASE $(BENCH_PAGES_DB)"
	DATABASE_URL=$(BENCH_PG)/$(BENCH_PAGES_DB) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/$(BENCH_PAGES_DB) DEBUG=0 $(BIN)/python manage.py bench_pages \
	  --days $(BENCH_DAYS) --mos-per-day $(BENCH_MOS_PER_DAY) \
	  --batches-per-mo $(BENCH_BATCHES_PER_MO) --requests $(BENCH_REQUESTS)
