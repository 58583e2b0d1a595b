# Advocacy — the two commands are `make run` and `make test`; `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# make's own targets are for a development machine, and say so: wsgi.py alone means production.
ADVOCACY_CONFIG ?= development
export ADVOCACY_CONFIG
FLASK := FLASK_APP=wsgi $(VENV)/bin/flask
HOST ?= 127.0.0.1
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help install install-dev run migrate legislators demo test test-sqlite test-postgres lint format check bench worker clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create the virtualenv and install requirements.txt

install-dev: $(VENV)/.installed-dev ## Install requirements-dev.txt too (tests, lint, browser)

migrate: install ## Apply migrations (SQLite in instance/ unless DATABASE_URL is set)
	@mkdir -p instance
	$(FLASK) db upgrade

legislators: migrate ## Import the legislator directory from ../shared/data (ADVOCACY_DATA_DIR), if present
	$(FLASK) legislators import --if-present

demo: legislators ## Load the demo organisations and petitions (idempotent)
	$(FLASK) demo load

run: demo ## Set up everything and serve on http://127.0.0.1:5000 (PORT=, HOST= to change)
	@echo ""
	@echo "  Advocacy is running on http://$(HOST):$(PORT)"
	@case "$(HOST)" in 127.*|localhost|::1) \
		echo "  Development outbox (confirmation links): http://$(HOST):$(PORT)/dev/outbox";; \
		*) echo "  Development outbox: off (HOST=$(HOST) is not a loopback address)";; esac
	@echo "  Organizer login: http://$(HOST):$(PORT)/login (with the demo account printed above)"
	@echo ""
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

test: install-dev ## The whole suite: SQLite, then PostgreSQL when TEST_DATABASE_URL is set
	env -u TEST_DATABASE_URL $(PY) -m pytest -n 2
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "--- again on PostgreSQL ($$TEST_DATABASE_URL) ---"; \
		$(PY) -m pytest -n 2 -m "not browser"; \
	fi

lint: install-dev ## ruff lint and format check, mypy (settings in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m mypy

format: install-dev ## Format and fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: lint test ## lint (ruff, mypy) + test

bench: install-dev ## Load benchmarks against PostgreSQL (see docs/BENCHMARKS.md)
	$(PY) bench/run.py $(BENCH_ARGS)

worker: install ## RQ worker for mail (needs REDIS_URL)
	$(FLASK) mail worker

clean: ## Remove the virtualenv, the dev database and caches
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache
