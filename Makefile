# quizapp: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# HOST, PORT, WORKERS, ACCESS_LOG and REDIS_URL are read by gunicorn.conf.py (and the admin link).
PORT ?= 8000
export HOST PORT WORKERS ACCESS_LOG
export FLASK_APP := quizapp
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install setup browser vendor clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## SortableJS (drag and drop) from npm into static/vendor/ (git ignores both). The pages work
## without it (arrow buttons and dropdowns), so a machine without npm only gets a warning.
static/vendor/Sortable.min.js: package.json
	@if command -v npm >/dev/null; then \
		npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
		&& mkdir -p static/vendor && cp node_modules/sortablejs/Sortable.min.js static/vendor/; \
	else echo "npm is missing: ordering works with the arrow buttons, without drag and drop."; fi

vendor: static/vendor/Sortable.min.js

## Upgrade the database, import the articles and banks, print the admin link once.
setup: install vendor
	$(BIN)/flask i18n compile
	$(BIN)/flask db upgrade
	$(BIN)/flask quiz import-article seeds/
	$(BIN)/flask quiz import questions/
	$(BIN)/flask setup-link

## Every gunicorn setting is in gunicorn.conf.py; tests start exactly this line.
run: setup
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

## Debian's chromium for the browser tests; installed when we are root and it is missing.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests ..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
		|| echo "apt-get could not install chromium"; \
	fi

test: install browser vendor
	$(BIN)/flask i18n compile >/dev/null
	@if [ -x /usr/bin/chromium ]; then \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
		echo; echo "################################################################"; \
		echo "# /usr/bin/chromium is missing: THE BROWSER TESTS DID NOT RUN.  #"; \
		echo "# Install Debian's chromium (apt-get install chromium) for them. #"; \
		echo "################################################################"; echo; \
		$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS); status=$$?; \
		echo "THE BROWSER TESTS DID NOT RUN (no /usr/bin/chromium)."; exit $$status; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r quizapp -c pyproject.toml

bench: install
	$(BIN)/python bench/learners.py
	$(BIN)/python bench/answer_floor.py
	$(BIN)/python bench/progress.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/live_groups.py
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/question_import.py

clean:
	rm -rf $(VENV) instance/quizapp.sqlite* .pytest_cache node_modules static/vendor
