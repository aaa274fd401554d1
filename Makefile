# Blangko: `make run` serves the demo on SQLite (PORT=5000 by default), `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
PORT ?= 5000

.PHONY: run test lint format bench install migrate seed clean translations screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# The demo signs its sessions with a random key of its own, made once and kept in instance/
# (owner only); the app refuses the published development key outside FLASK_DEBUG.
# A SECRET_KEY in the environment still wins over the file.
KEY_FILE := instance/secret-key
DEMO_ENV := SECRET_KEY_FILE=$(CURDIR)/$(KEY_FILE)

$(KEY_FILE):
	@mkdir -p -m 700 instance
	@$(PYTHON) -c 'import os, secrets; fd = os.open("$@", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600); \
		os.write(fd, (secrets.token_hex(32) + "\n").encode())'
	@echo "A random SECRET_KEY for the demo is in $@."

migrate: install $(KEY_FILE)
	$(DEMO_ENV) $(BIN)/flask db upgrade

seed: migrate
	$(DEMO_ENV) $(BIN)/flask seed

# Served as in production (gunicorn, README "Production"), so what `make run` shows is what an
# office gets: requests gunicorn refuses itself answer in JSON too. One worker, so that the
# failed log-ins of the demo are counted in one place (memory:// is per process). Ctrl-C stops it.
run: seed
	@echo "Blangko on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(DEMO_ENV) $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 1 \
		--worker-class inventory.core.serving.JsonErrorWorker --access-logfile - wsgi:app

# ruff for style; import-linter for the shape: the contracts in .importlinter (layers, no cycles,
# pure rules, only stock writes stock). README "How it is built" explains them.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	$(BIN)/pytest

# Renew the README's pictures in docs/screenshots (taken by the browser tests as they pass).
screenshots: install
	BLANGKO_DOCS_SCREENSHOTS=1 $(BIN)/pytest tests/web/browser -q

# After changing a dashboard message: re-extract, merge into the .po files, then translate
# the new entries. The .mo files are compiled when the app starts (inventory/web/i18n.py).
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _pl:1c,2 --no-location --sort-output \
		-o inventory/web/translations/messages.pot inventory/web
	$(BIN)/pybabel update -i inventory/web/translations/messages.pot -d inventory/web/translations \
		--width 100 --no-fuzzy-matching
	$(BIN)/pybabel compile -d inventory/web/translations --statistics

# About 15 minutes on a quiet 2-core machine; needs wrk (Debian package `wrk`). Every figure of
# issue 11 is printed with its target and verdict; a FAIL does not change the exit code.
# A quick, noisy look: BENCH_SECONDS=8 BENCH_ROUNDS=2 BENCH_SAMPLES=30 BENCH_PAGE_SAMPLES=10 make bench
# (all knobs: .venv/bin/python bench/run.py --help).
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python bench/run.py
	$(BIN)/python bench/national_reports.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
