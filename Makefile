# Gathering: `make demo` to try it, `make test` to check it. Needs only Python 3.11, make and git;
# `make test` also installs Chromium (Debian package) and axe-core (npm) for the browser tests, and nginx and
# Redis (Debian packages) for the scale-out test, when missing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := gathering.settings

.PHONY: demo serve test lint format bench lock browser-deps test-services clean help

help:
	@echo "make demo   - install, migrate, load demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - install test tools and run every check and test"
	@echo "make lint   - ruff check and format check"
	@echo "make bench  - run the benchmarks and rewrite docs/benchmarks.md"
	@echo "make lock   - refresh the pinned requirements from pyproject.toml"

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Gathering needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements/lock.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/lock.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: requirements/test-lock.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/test-lock.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

# Links in the demo's emails point at the address it serves.
demo: export GATHERING_BASE_URL = http://127.0.0.1:$(PORT)
demo: $(VENV)/.installed
	$(BIN)/gathering migrate --noinput
	$(BIN)/gathering seed-demo
	@echo ""
	@echo "Gathering is running at http://127.0.0.1:$(PORT)/  (press Ctrl+C to stop)"
	@# Scheduled work (email retries, expiring offers, reminders) runs beside the web server.
	$(BIN)/gathering jobs --loop --interval 30 & jobs=$$!; trap 'kill $$jobs 2>/dev/null' EXIT INT TERM; \
		$(BIN)/gathering runserver 127.0.0.1:$(PORT)

serve: export GATHERING_BASE_URL = http://127.0.0.1:$(PORT)
serve: $(VENV)/.installed
	$(BIN)/gathering runserver 127.0.0.1:$(PORT)

browser-deps:
	@sh scripts/ensure-browser-deps.sh

test-services:
	@sh scripts/ensure-test-services.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r src -ll

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(VENV)/.installed-test browser-deps test-services lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py

lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --output-file requirements/lock.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra test --output-file requirements/test-lock.txt pyproject.toml

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache
