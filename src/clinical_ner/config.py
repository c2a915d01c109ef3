"""Workflow configuration: layering of config files, JSON-schema validation with defaults, and the
training grid and entity types derived from it."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from clinical_ner.config_checks import apply_protocol, check_semantics
from clinical_ner.config_types import type_strings
from clinical_ner.errors import InputError
from clinical_ner.labels import ENTITY_TYPES
from clinical_ner.models.encoders.kinds import (
    EncoderKind,
    kind_of,
    labelled,
)

SCHEMA_NAME = "config.schema.json"
# A later config layer replaces these wholesale instead of merging into them: a user's encoders, label
# map and search grids are never unioned with the embedded default's.
REPLACED_KEYS: tuple[tuple[str, ...], ...] = (
    ("encoders",), ("corpus", "label_map"), ("training", "search"), ("training", "pinned"),
)
# Keys that name models of the grid: a layer that sets the encoders or heads without setting them resets them.
GRID_KEYS: tuple[tuple[str, ...], ...] = (("learning_curve_models",), ("training", "pinned"))
GRID_DEFINING_KEYS: tuple[str, ...] = ("encoders", "heads")
def schema() -> dict[str, Any]:
    return json.loads(resources.files("clinical_ner").joinpath("schemas", SCHEMA_NAME).read_text())


def _with_defaults(validator_class: type) -> type:
    """A validator class that fills in `default` values while validating (the jsonschema recipe), except in
    objects marked ``"x-fill-defaults": false`` (the training settings: `TrainSettings` applies their defaults)."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator: Any, properties: dict, instance: Any, schema_: dict) -> Iterator[Any]:
        if isinstance(instance, dict) and schema_.get("x-fill-defaults", True):
            for name, subschema in properties.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema_)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def plain(value: Any) -> Any:
    """Nested mappings (e.g. Snakemake's immutable ``--config`` map) as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def _merge(base: Any, over: Any, path: tuple[str, ...]) -> Any:
    if path in REPLACED_KEYS or not isinstance(base, Mapping) or not isinstance(over, Mapping):
        return plain(over)
    merged = plain(base)
    for key, value in over.items():
        merged[key] = _merge(base[key], value, path + (key,)) if key in base else plain(value)
    return merged


def _has(mapping: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(mapping, Mapping) or key not in mapping:
            return False
        mapping = mapping[key]
    return True


def _parent(mapping: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The mapping holding `path`'s last key (an empty one when the path is absent)."""
    for key in path[:-1]:
        mapping = mapping.get(key) if isinstance(mapping.get(key), dict) else {}
    return mapping


def layer_configs(layers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge config layers, each over the ones before: mappings merge key by key (as Snakemake merges
    ``--configfile`` onto ``configfile:``), except at `REPLACED_KEYS`, which a later layer replaces, and
    `GRID_KEYS`, which a layer with its own encoders or heads resets unless it sets them too."""
    result: dict[str, Any] = {}
    for layer in layers:
        result = _merge(result, layer, ())
        if any(key in layer for key in GRID_DEFINING_KEYS):
            for path in GRID_KEYS:
                if not _has(layer, path):
                    _parent(result, path).pop(path[-1], None)
    return result


def read_config_file(path: str | Path) -> dict[str, Any]:
    """The raw mapping of a YAML config file (InputError with the line on bad YAML)."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(path, f"invalid YAML: {error}", mark.line + 1 if mark else None) from None
    if not isinstance(raw, dict):
        raise InputError(path, "a config file must hold a mapping at the top level")
    return raw


def validate_config(config: Mapping[str, Any], origin: str = "config", check_paths: bool = True) -> dict[str, Any]:
    """Validate against the schema, fill defaults and check cross-field rules; return a new dict.

    With `check_paths`, BRAT folders must exist (the workflow leaves that to its jobs' inputs, so that
    targets that do not need the corpus, such as Table I, build without it)."""
    filled = copy.deepcopy(dict(config))
    validator = _with_defaults(jsonschema.Draft7Validator)(schema())
    type_strings(filled, validator)
    errors = sorted(validator.iter_errors(filled), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message}" for e in errors]
        raise InputError(origin, "invalid configuration:\n  " + "\n  ".join(lines))
    setting_names = set(schema()["definitions"]["settings"]["properties"])
    check_semantics(filled, origin, set(model_names(filled)), {CRFSUITE_MODEL}, setting_names, check_paths)
    apply_protocol(filled, origin)
    return _canonical(filled)


ORDERED_KEYS = ("encoders", "label_map")  # mappings whose order orders tables, figures and their rows


def _canonical(value: Any, keep_order: bool = False) -> Any:
    """Sort mapping keys recursively (but not `ORDERED_KEYS`, whose order is meaningful), so equal
    configurations compare equal however their files were written (Snakemake compares params)."""
    if isinstance(value, dict):
        items = value.items() if keep_order else sorted(value.items())
        return {key: _canonical(item, keep_order=(key in ORDERED_KEYS)) for key, item in items}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML config file and validate it."""
    return validate_config(read_config_file(path), origin=str(path))


def model_names(config: Mapping[str, Any]) -> list[str]:
    """Every `{encoder}-{head}` model of the grid, in config order."""
    return [f"{encoder}-{head}" for encoder in config["encoders"] for head in config["heads"]]


def split_model(model: str) -> tuple[str, str]:
    encoder, _, head = model.rpartition("-")
    return encoder, head


def base_settings(config: Mapping[str, Any], encoder: str) -> dict[str, Any]:
    """Training settings of an encoder: global settings overridden by the encoder's own."""
    settings = dict(config["training"]["settings"])
    settings.update(config["encoders"][encoder].get("training", {}))
    return settings


def candidates(config: Mapping[str, Any], encoder: str) -> dict[str, dict[str, Any]]:
    """The hyper-parameter grid of an encoder: candidate id (`hp0`, `hp1`, ...) -> full settings."""
    grid = dict(config["training"]["search"])
    grid.update(config["encoders"][encoder].get("search", {}))
    base = base_settings(config, encoder)
    names = sorted(grid)
    combos = itertools.product(*(grid[name] for name in names)) if names else [()]
    return {f"hp{i}": {**base, **dict(zip(names, combo))} for i, combo in enumerate(combos)}


DEFAULT_RESOURCES: dict[str, Any] = {"threads": 1, "mem_mb": 2000, "runtime": 30}
TRAIN_RESOURCES: dict[str, Any] = {"threads": 1, "mem_mb": 4000, "runtime": 60, "gpu": 0}
GROWS_WITH_ATTEMPT: tuple[str, ...] = ("mem_mb", "runtime")
"""Resources multiplied by the attempt number when a failed job is retried (`--retries`)."""


def encoder_resources(config: Mapping[str, Any], encoder: str) -> dict[str, Any]:
    """Resources of a training job for an encoder: `resources.train` overridden by the encoder's own."""
    merged = dict(TRAIN_RESOURCES)
    merged.update(config["resources"].get("train", {}))
    merged.update(config["encoders"].get(encoder, {}).get("resources", {}))  # baselines: the train defaults
    return merged


def job_resource(config: Mapping[str, Any], name: str, encoder: str | None = None, attempt: int = 1) -> Any:
    """One resource of a job: `resources.default` (no encoder) or the encoder's training resources.

    The config is the one source of job sizes (threads, memory, runtime, GPUs); a profile only maps them to
    a site (partitions, account). Memory and runtime grow with the attempt, so a job that ran out of
    either gets more when Snakemake retries it.
    """
    if encoder is None:
        value = {**DEFAULT_RESOURCES, **config["resources"].get("default", {})}[name]
    else:
        value = encoder_resources(config, encoder)[name]
    return value * attempt if name in GROWS_WITH_ATTEMPT else value


def encoder_kind(config: Mapping[str, Any], encoder: str) -> EncoderKind:
    return kind_of(config["encoders"][encoder]["source"])


def encoder_label(config: Mapping[str, Any], encoder: str) -> str:
    """The encoder's name in tables, figures and cards, with its kind: e.g. ``MiniLM-L6 (pre-trained)``."""
    entry = config["encoders"][encoder]
    return labelled(entry.get("label", encoder), entry["source"])


HEAD_NAMES = {"apt": "Apt", "crf": "CRF"}


def display_name(config: Mapping[str, Any], model: str) -> str:
    """A model's name in tables and figures: its encoder's label and kind, then the head (``MiniLM-L6
    (pre-trained)-CRF``); the feature CRF baseline's label."""
    if model == CRFSUITE_MODEL:
        return config["baselines"]["crfsuite"]["label"]
    encoder, head = split_model(model)
    return f"{encoder_label(config, encoder)}-{HEAD_NAMES[head]}"


def entity_types(config: Mapping[str, Any]) -> list[str]:
    """The target entity types: the label map's targets in its order (first appearance); without a map,
    the synthetic corpus's types or those annotated in the BRAT training folder (sorted)."""
    corpus = config["corpus"]
    if corpus.get("label_map"):
        return list(dict.fromkeys(corpus["label_map"].values()))
    if corpus["source"] == "synthetic":
        return list(ENTITY_TYPES)
    from clinical_ner.data.brat import annotation_types

    types = annotation_types(corpus["train"])
    if not types:
        raise InputError(corpus["train"], "no text-bound annotations: cannot tell the entity types (set corpus/label_map)")
    return types


CRFSUITE = "crfsuite"
CRFSUITE_MODEL = "crfsuite-none"


def seeds(config: Mapping[str, Any]) -> list[int]:
    """Seeds of the final models: ``training.seeds``, or the settings' seed."""
    return list(config["training"]["seeds"] or [config["training"]["settings"].get("seed", 42)])


def fractions(config: Mapping[str, Any], regime: str, model: str | None = None) -> list[float]:
    """Training fractions of a regime (and model): every ``training_fractions`` for the learning-curve regimes
    and models, else 1.0. Without a model: the fractions any model of the regime is trained at."""
    curve_regimes = config["learning_curve_regimes"]
    curve_models = config.get("learning_curve_models")
    in_regime = curve_regimes is None or regime in curve_regimes
    in_models = model is None or curve_models is None or model in curve_models
    if in_regime and in_models:
        return sorted(float(f) for f in config["training_fractions"])
    return [1.0]


def crfsuite_enabled(config: Mapping[str, Any]) -> bool:
    return bool(config["baselines"]["crfsuite"]["enabled"])


def rank_by(config: Mapping[str, Any]) -> str:
    """How candidate runs are ranked on validation (`selection.RANKINGS`)."""
    return "mean_macro_prf" if config["protocol"] == "paper" else "macro_f1"


def selection_validation(config: Mapping[str, Any], regime: str) -> str:
    """The regime whose validation split scores the candidates: the study does not down-sample it."""
    return "full" if config["protocol"] == "paper" else regime


def pinned_settings(config: Mapping[str, Any], model: str) -> dict[str, Any] | None:
    """The full settings of a pinned model (its encoder's settings updated with the pin), or None."""
    pin = config["training"]["pinned"].get(model)
    if pin is None:
        return None
    return {**base_settings(config, split_model(model)[0]), **pin}


def study_figures(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The study's figures the grid can fill, stem -> what it shows: ``kind`` (report | confusion), the
    evaluation ``file`` it reads, ``regime`` and ``models`` (its panels, left to right) and ``title``.

    Figs. 4-7 put the CRF models of `figures.encoders` (at least two) side by side (BIO-strict reports, BIO-strict
    confusion matrices, token-level reports with full and down-sampled training); then one figure per Apt
    model: its BIO-strict report (Figs. 8-10 for three encoders), then its confusion matrix (Figs. 11-13).
    """
    encoders = config["figures"]["encoders"] or list(config["encoders"])
    heads, regimes = config["heads"], config["regimes"]
    figures: dict[str, dict[str, Any]] = {}
    if "crf" in heads and len(encoders) > 1:  # side by side: with one model, the per-run figures show it
        crf = [f"{e}-crf" for e in encoders]
        sides = [
            ("fig04_bio_strict_reports", "report", "bio_strict.csv", "full", "BIO-strict classification reports"),
            ("fig05_bio_strict_confusions", "confusion", "confusion_bio.csv", "full", "BIO-strict confusion matrices"),
            ("fig06_token_reports_full", "report", "token_level.csv", "full", "Token-level classification reports"),
            ("fig07_token_reports_downsampled", "report", "token_level.csv", "downsampled",
             "Token-level classification reports, efficient training (down-sampled)"),
        ]
        for stem, kind, file, regime, title in sides:
            if regime in regimes:
                figures[stem] = {"kind": kind, "file": file, "regime": regime, "models": crf, "title": title}
    if "apt" in heads and "full" in regimes:
        number = 8
        for kind, file, what in (("report", "bio_strict.csv", "report"), ("confusion", "confusion_bio.csv", "confusion")):
            for encoder in encoders:
                title = f"BIO-strict {'classification report' if kind == 'report' else 'confusion matrix'}"
                figures[f"fig{number:02d}_bio_strict_{what}_{encoder}-apt"] = {
                    "kind": kind, "file": file, "regime": "full", "models": [f"{encoder}-apt"], "title": title,
                }
                number += 1
    return figures
