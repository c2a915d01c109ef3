"""The configuration the workflow sees, outside Snakemake: the workflow's config.yaml, then each config
file given (as ``--configfile``), then ``key=value`` overrides (as ``--config``), layered by
`config.layer_configs` exactly as rules/common.smk layers them, and validated."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from clinical_ner.config import layer_configs, read_config_file, validate_config
from clinical_ner.errors import InputError

WORKFLOW_CONFIG = "config.yaml"


def base_config(start: str | Path = ".") -> Path | None:
    """The workflow's config.yaml: in `start`, else beside this package's source tree (a checkout)."""
    for folder in (Path(start), Path(__file__).resolve().parents[2]):
        if (folder / WORKFLOW_CONFIG).is_file() and (folder / "Snakefile").is_file():
            return folder / WORKFLOW_CONFIG
    return None


def parse_overrides(entries: Sequence[str]) -> dict[str, Any]:
    """``key=value`` entries as one nested mapping; a dotted key nests (``training.seeds=[1]``), a value
    is read as YAML (``false``, ``3``, ``{a: 1}``), as Snakemake's ``--config`` does."""
    result: dict[str, Any] = {}
    for entry in entries:
        key, sep, raw = entry.partition("=")
        if not sep or not key:
            raise InputError("--config", f"{entry!r}: expected key=value")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError as error:
            raise InputError("--config", f"{entry!r}: value is not valid YAML: {error}") from None
        *parents, last = key.split(".")
        holder = result
        for part in parents:
            holder = holder.setdefault(part, {})
        holder[last] = value
    return result


def layered_config(
    files: Sequence[str | Path] = (), overrides: Sequence[str] = (), base: str | Path | None = None,
    check_paths: bool = True,
) -> dict[str, Any]:
    """config.yaml (`base`, default `base_config()`; left out when it is also among `files`) + `files` +
    `overrides`, validated. With `check_paths`, configured corpus folders must exist."""
    base_path = Path(base) if base is not None else base_config()
    given = [Path(f) for f in files]
    layers_files = [base_path] if base_path is not None else []
    layers_files = [f for f in layers_files if f.resolve() not in {g.resolve() for g in given}] + given
    layers = [read_config_file(f) for f in layers_files] + [parse_overrides(overrides)]
    origin = " + ".join(str(f) for f in layers_files) + (" + --config" if overrides else "")
    return validate_config(layer_configs(layers), origin=origin or "config", check_paths=check_paths)
