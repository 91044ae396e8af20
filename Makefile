# Two commands for a fresh clone: `make run` (serve on http://127.0.0.1:8000) and `make test`.
VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  ?= python3
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: run test install install-test index browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[eval]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Build the index from corpus/ when it is missing or stale (corpus, model or chunking changed).
index: install
	$(BIN)/qa-service ingest --if-stale

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

run: index
	$(BIN)/qa-service serve --host $(HOST) --port $(PORT)

test: install-test browser index
	$(BIN)/python -m pytest

clean:
	rm -rf index/builds index/current index/cache data test-artifacts
