"""The lint and format gates of `make lint` (and .ci/run) pass: ruff, snakefmt --check, snakemake --lint.

The commands are read from the Makefile's `lint` recipe, so the test runs exactly what CI runs.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def lint_commands() -> list[list[str]]:
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe, "Makefile has no lint target"
    return [shlex.split(line.strip().replace("$(BIN)", str(BIN))) for line in recipe.group(1).splitlines()]


def test_ci_runs_lint_before_the_tests():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("make lint") < ci.index("make test")


@pytest.mark.parametrize("command", lint_commands(), ids=lambda c: Path(c[0]).name)
def test_lint_gate_passes(command):
    tool = Path(command[0])
    if not tool.exists():
        pytest.fail(f"{tool.name} is not installed: `pip install -e '.[dev]'` (pinned in pyproject.toml)")
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


def test_ruff_gate_catches_an_undefined_name(tmp_path):
    """The rule set is live: a script using an undeclared name fails the gate."""
    bad = tmp_path / "bad.py"
    bad.write_text("print(snakemake.input[0])\n")
    proc = subprocess.run([str(BIN / "ruff"), "check", "--config", str(ROOT / "pyproject.toml"), str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "F821" in proc.stdout, proc.stdout
