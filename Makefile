# The README's commands. Everything installs itself into .venv on first use.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: install run run-live test check lint bench clean browser

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --silent
	touch $@

install: $(BIN)/.installed

## Debian's Chromium for the browser tests (tests/web/test_browser.py). Needs root (CI runs as
## root); without it the browser tests skip on a developer's machine and fail under CI=true.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "chromium is missing and installing it needs root: sudo apt-get install chromium" \
	  "(the browser tests skip without it)"; fi

## Collect (from the recorded demo responses, no internet needed), publish, serve on :8000.
run: install
	$(BIN)/aggregator run --replay demo/recordings

## The same, fetching the real sources.
run-live: install
	$(BIN)/aggregator run

test: install tests/js/node_modules/.installed browser
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: lint test

## Every benchmark; each prints its figures as ratios to a baseline measured in the same run.
bench: install
	$(BIN)/python -m bench
	$(BIN)/python -m bench.polite
	$(BIN)/python -m bench.dedup_quality
	$(BIN)/python -m bench.dedup_scale
	$(BIN)/python -m bench.web

clean:
	rm -rf $(VENV) tests/js/node_modules feeds/*.ics feeds/*.rss feeds/*.atom feeds/*.json
