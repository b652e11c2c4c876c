# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SHARED := $(abspath ../shared/data)
export MINSEC_SOURCES ?= $(if $(wildcard $(SHARED)),$(SHARED),)

.PHONY: run test lint bench clean chromium

# Reports print to PDF and browser tests run in Debian's Chromium (Playwright cannot fetch one).
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)
chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

$(BIN)/minsec: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/minsec chromium
	$(BIN)/minsec data build
	$(BIN)/minsec assess --importer KOR
	$(BIN)/minsec report --importer KOR --out out/

test: $(BIN)/minsec chromium
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2 --dist loadfile

bench: $(BIN)/minsec chromium
	$(BIN)/minsec data build
	$(BIN)/python benchmarks/bench_build.py
	export MINSEC_STORE=$${MINSEC_STORE:-$$($(BIN)/python -c "import minsec.store as s; print(s.default_path())")} && \
	$(BIN)/python benchmarks/bench_geopolrisk.py && \
	$(BIN)/python benchmarks/bench_scenarios.py && \
	$(BIN)/python benchmarks/backtest_events.py && \
	$(BIN)/python benchmarks/bench_recycling.py && \
	$(BIN)/python benchmarks/bench_targets.py && \
	$(BIN)/python benchmarks/bench_portfolio.py && \
	$(BIN)/python benchmarks/bench_report.py && \
	$(BIN)/python benchmarks/bench_serve.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
