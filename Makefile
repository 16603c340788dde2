# fazhi-archive — two commands on a fresh clone: `make crawl` and `make test`.
# While changing code, `make test-fast` (under 2 minutes) runs every test not marked `slow` on SQLite.
# Every step leaves a stamp under .venv/.stamps, so a second run reuses what is there.

.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := $(VENV)/.stamps

# Install a Debian package where we may (root with apt-get); otherwise print the exact line.
apt_install = if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian package(s): $(1)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	else echo "missing $(1): run  sudo apt-get update && sudo apt-get install -y $(1)" >&2; exit 1; fi

.PHONY: help crawl demo serve test test-fast lint setup clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

crawl: setup $(STAMPS)/browser ## Set everything up, then crawl every source of the registry once
	@$(BIN)/fazhi db upgrade
	@$(BIN)/fazhi sources check --quiet
	@# The run records every failure with its reason; `fazhi crawl` exits 1 for cron-like callers
	@# when the run failed, `make crawl` says so and points at the history instead of failing.
	@$(BIN)/fazhi crawl --all || echo "make crawl: the run was judged failed (without internet \
	no portal answers); its history: $(BIN)/fazhi runs, $(BIN)/fazhi health"

demo: setup $(STAMPS)/browser ## Crawl the local replica portals, show the archive, then serve it
	$(BIN)/python -m tests.replica.demo
	@$(MAKE) --no-print-directory serve

# The reading room over the replica archive (`make demo` builds it; crawled here if absent).
DEMO := data/demo
serve: setup ## Serve the replica archive in the reading room; prints its URL (Ctrl-C stops)
	@test -f $(DEMO)/archive.sqlite3 || $(BIN)/python -m tests.replica.demo
	@FAZHI_DATA_DIR=$(DEMO) $(BIN)/fazhi serve --db sqlite:///$(DEMO)/archive.sqlite3

test: setup $(STAMPS)/browser $(STAMPS)/compose $(STAMPS)/fonts lint ## Set everything up, lint, run the whole suite on both backends (~20 min): before you push; CI runs it
	$(BIN)/pytest

# The docker-compose check skips without docker-compose (CI's `make test` installs it).
# The PostgreSQL variants of the same tests (half its time) run in `make test`, as CI does.
test-fast: setup $(STAMPS)/browser ## Every test not marked slow, on SQLite (< 2 min: no crawls, fleets, scheduled runs, PostgreSQL twins): while you work
	$(BIN)/pytest -m "not slow and not postgres"

lint: setup ## ruff check, format check and mypy (its files: pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

setup: $(STAMPS)/install ## Create .venv and install the project (pip upgraded first)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	# The stock pip 23 skips trafilatura's lxml_html_clean; a current pip does not.
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMPS)/install: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

# A browser for JavaScript pages: Playwright's download where it works, else the system Chromium.
$(STAMPS)/browser: $(STAMPS)/install
	@$(BIN)/fazhi browser --install 2>/dev/null || { $(call apt_install,chromium); $(BIN)/fazhi browser; }
	@touch $@

# Chinese fonts for the reading room's screenshots in the browser tests.
$(STAMPS)/fonts: $(STAMPS)/install
	@fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || { $(call apt_install,fonts-noto-cjk); }
	@touch $@

# docker-compose v1 validates docker-compose.yml in the tests (no engine needed).
$(STAMPS)/compose: $(STAMPS)/install
	@command -v docker-compose >/dev/null || { $(call apt_install,docker-compose); }
	@touch $@

clean: ## Remove the virtualenv and caches (keeps ./data)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis *.egg-info
