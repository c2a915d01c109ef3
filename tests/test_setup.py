"""`make setup` says what it installs: torch from pip's index unless TORCH_INDEX_URL names a build's wheel index,
and the installed build printed at the end. Checked with `make -n` on a venv path that does not exist."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from workflow_helpers import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")


def setup_recipe(tmp_path, *variables: str) -> list[str]:
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    done = subprocess.run(["make", "-n", "--no-print-directory", "setup", f"VENV={venv}", *variables], cwd=ROOT,
                          capture_output=True, text=True, check=True, env=env)
    return [line.replace(f"{venv}/bin/python", "PY") for line in done.stdout.splitlines()]


def test_torch_comes_from_pips_index_by_default(tmp_path):
    lines = setup_recipe(tmp_path)
    (torch_line,) = [line for line in lines if "torch==" in line]
    assert "--index-url" not in torch_line and "--extra-index-url" not in torch_line
    assert lines.index(torch_line) < next(k for k, line in enumerate(lines) if '-e ".[dev]"' in line)


def test_torch_index_url_picks_the_build(tmp_path):
    (torch_line,) = [line for line in setup_recipe(tmp_path, "TORCH_INDEX_URL=https://example.invalid/whl/cpu")
                     if "torch==" in line]
    assert "--index-url https://example.invalid/whl/cpu torch==" in torch_line


def test_setup_ends_by_printing_the_installed_build(tmp_path):
    last = setup_recipe(tmp_path)[-1]
    assert last.startswith("PY -c")
    printed = subprocess.run(last.replace("PY", sys.executable, 1), shell=True, capture_output=True, text=True,
                             check=True).stdout
    import torch

    assert re.fullmatch(r"installed: torch \S+ \((CUDA [\d.]+|CPU only)\)\n", printed)
    assert torch.__version__ in printed


def test_the_makefile_names_no_package_index_host():
    assert not re.search(r"https?://", (ROOT / "Makefile").read_text())
