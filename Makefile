# Cellule — the two commands of the README, and the developer's others.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers on these 2-core machines; PYTEST_ARGS adds options (ex. make test PYTEST_ARGS="-k charter").
PYTEST_WORKERS ?= 2

.PHONY: run test lint format bench migrate demo screenshots clean

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
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	CELLULE_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	@echo "make bench : le banc d'essai national (données synthétiques, charge, journal) n'est pas encore écrit."
	@echo "Il arrive avec le ticket « Production and scale » ; rien n'est mesuré pour l'instant."

clean:
	rm -rf $(VENV) var
