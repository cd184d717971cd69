# Cellule — the two commands of the README, and the developer's others.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers on these 2-core machines; PYTEST_ARGS adds options (ex. make test PYTEST_ARGS="-k charter").
PYTEST_WORKERS ?= 2

.PHONY: run test lint format audit bench migrate demo screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py migrate --database journal --noinput

demo: migrate
	$(BIN)/python manage.py import_cog
	$(BIN)/python manage.py seed_demo

run: demo
	@echo "Cellule : http://$(HOST):$(PORT)/ (comptes de démonstration ci-dessus)"
	@echo "Tâches planifiées : manage.py run_periodic toutes les 2 minutes, tant que le serveur tourne."
	@( while true; do $(BIN)/python manage.py run_periodic; sleep 120; done ) & periodic=$$!; \
	trap 'pkill -P $$periodic 2>/dev/null; kill $$periodic 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	CELLULE_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

# Security gates beyond make test (which already runs bandit and the security headers test):
# pip-audit asks PyPI's vulnerability service about every installed package; --strict fails when
# a package could not be checked (an offline mirror), rather than passing in silence.
audit: $(STAMP)
	$(BIN)/bandit -q -r cellule config -lll
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every page of the demo, role by role, and every page of the whole journey of a cell, at desktop
# and mobile widths (tests/browser/test_visit.py and test_whole_journey.py, which also check
# accessibility): PNGs in var/screenshots/; docs/visite.md shows the main ones.
screenshots: $(STAMP)
	rm -rf var/screenshots
	CELLULE_SCREENSHOTS=$(CURDIR)/var/screenshots $(BIN)/python -m pytest -q \
		tests/browser/test_visit.py tests/browser/test_whole_journey.py
	@echo "Captures : var/screenshots/"

# The national benchmark (docs/bench.md), not part of make test: BENCH_SCALE=small for a quick
# run; BENCH_REGENERATE=1 to rebuild the data set; BENCH_SECONDS, BENCH_USERS, BENCH_DATABASE_URL…
BENCH_SCALE ?= default
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	@if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && [ -z "$$BENCH_DATABASE_URL" ]; then \
	  version=$$(ls /etc/postgresql | sort -n | tail -n 1); \
	  echo "PostgreSQL $$version : démarrage du cluster local"; \
	  pg_ctlcluster --skip-systemctl-redirect "$$version" main start; \
	  for _ in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; \
	fi
	$(BIN)/python -m bench.generate --scale $(BENCH_SCALE)
	$(BIN)/python -m bench.run --scale $(BENCH_SCALE)

clean:
	rm -rf $(VENV) var
