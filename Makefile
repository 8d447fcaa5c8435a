# Quick start: `make run` (fresh machine -> demo server) and `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export NSCL_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test test-sqlite test-postgres install browser bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/nscl init
	$(BIN)/nscl demo
	NSCL_PUBLIC_PROGRESS=1 $(BIN)/nscl serve --host 127.0.0.1 --port 8000

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

test: install browser
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== Test pass 1/2: SQLite"
	DATABASE_URL=sqlite:///$(NSCL_VAR_DIR)/test.sqlite3 $(BIN)/pytest

test-postgres:
	@url="$${DATABASE_URL:-$(PG_URL)}"; \
	case "$$url" in postgres*) ;; *) url="$(PG_URL)";; esac; \
	if $(BIN)/python -c "import sys,psycopg; psycopg.connect(sys.argv[1].replace('postgres://','postgresql://',1), connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "== Test pass 2/2: PostgreSQL ($$url)"; \
	  DATABASE_URL="$$url" $(BIN)/pytest; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "ERROR: PostgreSQL is required in CI but $$url is not reachable"; exit 1; \
	else \
	  echo "== SKIPPED the PostgreSQL pass: $$url is not reachable (set DATABASE_URL=postgres://... to run it)"; \
	fi

bench: install
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) var .pytest_cache
