# Every target sets up what it needs: a fresh clone runs `make demo` or `make test` directly.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= $(CURDIR)/.strongroom-demo

.PHONY: setup softhsm clamav demo serve test check lint typecheck contracts format bench clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) tools/make_venv.py $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## The main job: a fresh demo data home, a synthetic demo loaded through the ingest API, served over TLS.
demo: setup
	STRONGROOM_HOME=$(DEMO_HOME) $(BIN)/strongroom demo --fresh

## The whole test suite (unit, integration on SQLite and PostgreSQL, end-to-end) and every check.
test: setup softhsm clamav
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory check

## SoftHSM2 (Debian's softhsm2), the HSM the PKCS#11 tests use: installed when missing and root.
softhsm:
	@if command -v softhsm2-util >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing SoftHSM2 (apt-get install softhsm2)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q softhsm2 >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null && apt-get install -y -q softhsm2 >/dev/null; } \
	    || echo "Could not install SoftHSM2: PKCS#11 tests skip without it, and fail on CI"; \
	else \
	  echo "SoftHSM2 is missing: run 'sudo apt-get install softhsm2' (PKCS#11 tests skip without it, and fail on CI)"; \
	fi

## ClamAV's daemon (Debian's clamav-daemon), the scanner the intake tests start: installed when missing and root.
clamav:
	@if command -v clamd >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing ClamAV (apt-get install clamav-daemon)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q clamav-daemon >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null && apt-get install -y -q clamav-daemon >/dev/null; } \
	    || echo "Could not install ClamAV: clamd tests skip without it, and fail on CI"; \
	else \
	  echo "ClamAV is missing: run 'sudo apt-get install clamav-daemon' (clamd tests skip without it, and fail on CI)"; \
	fi

check: lint typecheck contracts

lint: setup
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

typecheck: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: setup
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
