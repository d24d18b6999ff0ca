# Anjian — the two commands that matter: `make demo` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: help demo test test-sqlite test-postgres lint typecheck bench clean openapi fuzz

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## build the demo zone (SQLite in var/) once and serve the web UI on 127.0.0.1:8000
	ANJIAN_DEBUG=1 $(BIN)/anjian demo

test: $(STAMP)  ## lint, then the whole suite on SQLite and again on PostgreSQL
	$(BIN)/ruff check anjian tests bench
	$(BIN)/ruff format --check --quiet anjian tests bench
	ANJIAN_DEBUG=1 $(BIN)/anjian makemigrations --check --dry-run > /dev/null
	$(BIN)/mypy anjian bench
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP)  ## the suite on SQLite
	@echo "== tests on SQLite =="
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test-postgres: $(STAMP)  ## the suite on PostgreSQL (ANJIAN_TEST_POSTGRES_URL or 127.0.0.1:5432); required in CI
	@url=$$($(BIN)/python scripts/postgres_url.py) ; rc=$$? ; \
	if [ $$rc -eq 0 ]; then \
	  echo "== tests on PostgreSQL ($$url) ==" ; \
	  ANJIAN_TEST_DATABASE_URL="$$url" $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider ; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL is required in CI but does not answer" >&2 ; exit 1 ; \
	else \
	  echo "== PostgreSQL not reachable: skipped the PostgreSQL run (set ANJIAN_TEST_POSTGRES_URL) ==" ; \
	fi

lint: $(STAMP)  ## ruff check and format check
	$(BIN)/ruff check anjian tests bench
	$(BIN)/ruff format --check anjian tests bench

typecheck: $(STAMP)  ## mypy on the whole package (strict; config in pyproject.toml)
	$(BIN)/mypy anjian bench

bench: $(STAMP)  ## benchmarks in bench/, results written beside them
	$(BIN)/python -m bench

clean:  ## remove the virtualenv and the demo database
	rm -rf $(VENV) var

openapi: $(STAMP)  ## regenerate docs/openapi.yaml (the published API contract; a test keeps it in sync)
	ANJIAN_DEBUG=1 $(BIN)/anjian spectacular --file docs/openapi.yaml

fuzz: $(STAMP)  ## the property-based API test with many more examples per operation and role (before a release)
	ANJIAN_FUZZ_EXAMPLES=$${ANJIAN_FUZZ_EXAMPLES:-60} $(BIN)/pytest -n 0 -p no:cacheprovider tests/test_api_contract.py
