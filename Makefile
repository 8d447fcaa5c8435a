# Quick start: `make run` (fresh machine -> demo server) and `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export NSCL_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test check test-sqlite test-postgres lint install browser nginx bench load lock clean

# Dependencies come from the hashed lock (requirements-test.lock: runtime + test; requirements.lock:
# runtime only, for servers); pyproject.toml keeps the ranges. Refresh the locks with `make lock`.
$(STAMP): pyproject.toml requirements-test.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements-test.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/nscl init
	$(BIN)/nscl demo
	# NSCL_DEBUG=0: a new user sees the friendly 404 page, not Django's debug page listing URL patterns
	NSCL_DEBUG=0 NSCL_PUBLIC_PROGRESS=1 $(BIN)/nscl serve --host 127.0.0.1 --port 8000

# Debian's Chromium for the browser test; never a downloaded browser.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian chromium for the browser test"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
	      (apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null); \
	  else echo "WARNING: /usr/bin/chromium missing (sudo apt-get install chromium chromium-driver)"; fi; \
	fi

# Debian's nginx for the deployment test (tests/deploy/test_nginx.py), installed like chromium.
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian nginx for the deployment test"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q nginx >/dev/null 2>&1 || \
	      (apt-get update -q >/dev/null && apt-get install -y -q nginx >/dev/null); \
	  else echo "WARNING: /usr/sbin/nginx missing (sudo apt-get install nginx)"; fi; \
	fi

# The two passes run side by side (each pass's output is printed whole when it ends, with its own
# var/ folder); `make test-sqlite` or `make test-postgres` runs one. Each pass runs XDIST pytest-xdist
# workers (default 2): four workers on two cores keep both busy while a drill waits for its server.
# The tests that never meet a database (estimators, GS1 keys, EPCIS validation: about 500) run in the
# SQLite pass only (NSCL_TEST_DATABASE_ONLY=1 for the PostgreSQL pass; tests/conftest.py decides).
XDIST ?= 2
PYTEST = $(BIN)/pytest $(if $(filter-out 0 1,$(XDIST)),-n $(XDIST))
test: install browser nginx lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres DATABASE_ONLY=1

# The quick stage for everyday work: the unit and view tests on SQLite, no test that starts a
# process (servers, workers, `nscl` commands, the browser, nginx: NSCL_TEST_QUICK=1), two workers.
check: export NSCL_VAR_DIR = $(CURDIR)/var/check
check: install
	@mkdir -p $(NSCL_VAR_DIR)
	NSCL_TEST_QUICK=1 DATABASE_URL=sqlite:///$(NSCL_VAR_DIR)/test.sqlite3 $(PYTEST) --durations=10

# Checks that need no database server: ruff's lint rules (pyproject.toml) and every model change
# has its migration.
lint: install
	@$(BIN)/ruff check --quiet src tests bench || { echo "ERROR: ruff found problems (.venv/bin/ruff check --fix)"; exit 1; }
	@NSCL_VAR_DIR=$(CURDIR)/var/lint DATABASE_URL=sqlite:///$(CURDIR)/var/lint/none.sqlite3 \
	  sh -c 'mkdir -p var/lint && $(BIN)/nscl manage makemigrations --check --dry-run --verbosity 1 >/dev/null' \
	  || { echo "ERROR: a model change has no migration (nscl manage makemigrations)"; exit 1; }

test-sqlite: export NSCL_VAR_DIR = $(CURDIR)/var/test-sqlite
test-sqlite:
	@echo "== Test pass 1/2: SQLite"
	@mkdir -p $(NSCL_VAR_DIR)
	DATABASE_URL=sqlite:///$(NSCL_VAR_DIR)/test.sqlite3 $(PYTEST) --durations=25

test-postgres: export NSCL_VAR_DIR = $(CURDIR)/var/test-postgres
test-postgres:
	@mkdir -p $(NSCL_VAR_DIR)
	@url="$${DATABASE_URL:-$(PG_URL)}"; \
	case "$$url" in postgres*) ;; *) url="$(PG_URL)";; esac; \
	if $(BIN)/python -c "import sys,psycopg; psycopg.connect(sys.argv[1].replace('postgres://','postgresql://',1), connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "== Test pass 2/2: PostgreSQL ($$url)$(if $(DATABASE_ONLY), — the tests that meet the database)"; \
	  NSCL_TEST_DATABASE_ONLY=$(DATABASE_ONLY) DATABASE_URL="$$url" $(PYTEST) --durations=25; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "ERROR: PostgreSQL is required in CI but $$url is not reachable"; exit 1; \
	else \
	  echo "== SKIPPED the PostgreSQL pass: $$url is not reachable (set DATABASE_URL=postgres://... to run it)"; \
	fi

bench: install
	$(BIN)/python bench/dashboard.py

# 20 clients for 30 s on / and /api/v1/targets of a throw-away `nscl serve` (WORKERS=4: gunicorn)
load: install
	$(BIN)/python bench/load.py $(if $(WORKERS),--workers $(WORKERS))

# Re-resolve the locks from pyproject.toml's ranges, keeping current pins (UPGRADE=1: newest allowed).
# Resolved from PyPI only, ignoring this machine's pip configuration (local wheel folders).
PIP_COMPILE = env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" \
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	--no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: install
	$(BIN)/pip install -q "pip-tools>=7.4,<8"
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra test -o requirements-test.lock pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache
