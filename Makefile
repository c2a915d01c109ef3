# `make run` runs the whole study's DAG on the embedded default; `make test` runs the tests;
# `make lint` runs the lint and format gates.
# Both create the virtual environment first (torch's CPU build is installed before the rest).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup run smoke-paper test test-fast lint report clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==$$(sed -n 's/.*"torch==\([^"]*\)".*/\1/p' pyproject.toml)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --workflow-profile profiles/default

# The paper-size smoke run (config/paper-smoke.yaml): the study's four encoder architectures at full size,
# random weights, on the n2c2-size synthetic corpus, capped steps; outputs in results-paper-smoke/.
smoke-paper: $(STAMP)
	$(BIN)/snakemake --cores 2 --configfile config/paper-smoke.yaml

report: run
	$(BIN)/snakemake --cores 1 --report results/report.html

# Lint and format gates (rule set and versions in pyproject.toml); .ci/run runs them before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile rules/
	$(BIN)/snakemake --lint --cores 1

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

clean:
	rm -rf results results-paper-smoke .snakemake
