# Rådslag: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup setup-dev vendor translations migrate seed serve lint messages clean cluster cluster-stop cluster-restart

run: setup vendor translations migrate seed serve

# The suite in two workers, then the browser tests (one shared server and browser) on their own.
# TEST_BROWSER=no leaves the browser tests out (CI's second pass, on PostgreSQL).
TEST_BROWSER ?= yes
test: setup-dev vendor translations
	$(BIN)/python -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)
ifeq ($(TEST_BROWSER),yes)
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)
endif

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[postgres,redis]"
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

# Front-end packages come from npm and are served from our own static/vendor.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

vendor: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js static/vendor/
	cp node_modules/axe-core/axe.min.js static/vendor/
	mkdir -p static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	   node_modules/swagger-ui-dist/LICENSE static/vendor/swagger-ui/

translations: | $(BIN)/python
	$(BIN)/pybabel compile --statistics -d translations

# Extract strings and merge them into both catalogues (run after changing UI text).
messages: | $(BIN)/python
	$(BIN)/pybabel extract --ignore-dirs=".venv node_modules" -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -N -i translations/messages.pot -d translations
	$(BIN)/python translations/fill_english.py

migrate:
	$(FLASK) db upgrade

seed:
	$(FLASK) forum seed --demo --if-empty
	$(FLASK) forum reindex --here --if-empty

serve:
	@echo "Rådslag on http://$(HOST):$(PORT) with a job worker; emails go to instance/outbox/  (demo sign-in: see README)"
	$(BIN)/python serve.py --with-worker --host $(HOST) --port $(PORT)

lint:
	$(BIN)/ruff check forum tests bench

clean:
	rm -rf $(VENV) node_modules static/vendor

# A local cluster: HAProxy (apt-get install haproxy), RADSLAG_SERVERS gevent servers and a
# worker, against the PostgreSQL and Redis in CLUSTER_ENV (made from deploy/radslag.env.example).
CLUSTER_ENV ?= instance/cluster.env
cluster: setup vendor translations
	$(BIN)/python deploy/cluster.py start --env $(CLUSTER_ENV)

cluster-stop:
	$(BIN)/python deploy/cluster.py stop --env $(CLUSTER_ENV)

cluster-restart:
	$(BIN)/python deploy/cluster.py restart --env $(CLUSTER_ENV)
