# Inburgergids — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
export BUDDY_ENV ?= development

.PHONY: demo test install install-dev catalogs extract browser lint serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory catalogs

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory catalogs

## Compile the catalogs (.po -> .mo); .mo files are build output, never committed
catalogs:
	$(BIN)/pybabel compile -d translations >/dev/null 2>&1

## Re-extract strings from code and templates, update every catalog (the locales come from
## buddy/i18n.py) and list what is left to translate
extract:
	$(FLASK) catalogs extract
	$(FLASK) catalogs check || true

## Install, migrate an SQLite database, load demo data and serve on http://127.0.0.1:5000
demo: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --seed 7
	$(FLASK) run --host 127.0.0.1 --port 5000

## Install the test tools (and a browser) and run the whole suite
test: install-dev browser
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -f node_modules/axe-core/axe.min.js || npm install --no-audit --no-fund >/dev/null

lint: install-dev
	$(BIN)/ruff check .

serve:
	$(BIN)/gunicorn -w 5 -b 127.0.0.1:8000 wsgi:app

clean:
	rm -rf $(VENV) instance .pytest_cache
