"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinical_ner.config import read_config_file

ROOT = Path(__file__).resolve().parents[1]
PHEE = ROOT.parent / "shared" / "data" / "phee"
PHEE_LABEL_MAP: dict[str, str] = read_config_file(ROOT / "config" / "phee.yaml")["corpus"]["label_map"]


@pytest.fixture(scope="session")
def phee_dir() -> Path:
    """The real PHEE BRAT corpus beside the checkout; skips when ../shared is absent."""
    if not (PHEE / "train").is_dir():
        pytest.skip(f"PHEE corpus not found at {PHEE} (../shared is absent)")
    return PHEE


@pytest.fixture(scope="session")
def phee_label_map() -> dict[str, str]:
    return dict(PHEE_LABEL_MAP)


@pytest.fixture(scope="session")
def default_dag(tmp_path_factory) -> Path:
    """The whole default DAG, run once per session in a copy of the workflow (`snakemake --cores 2`)."""
    from workflow_helpers import copy_workflow, snakemake

    workdir = copy_workflow(tmp_path_factory.mktemp("dag"))
    run = snakemake(workdir, "--cores", "2")
    assert run.returncode == 0, run.stderr[-5000:]
    return workdir
