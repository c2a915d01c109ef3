"""The rules of a configuration the JSON schema cannot state (cross-field checks, encoder sources, required
sizes, corpus folders), and what `protocol: paper` fixes. Called by `config.validate_config`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clinical_ner.errors import InputError
from clinical_ner.models.encoders.kinds import PACKAGE_PREFIX, EncoderPackageError, kind_of, package_folder
from clinical_ner.models.encoders.shipped import shipped_ids, shipped_settings
from clinical_ner.models.encoders.split_archives import assembled_name, missing_folder_hint

# `protocol: paper`, the study's released notebooks: these training settings are fixed (they override the
# config's), all-O sentences are kept with probability PAPER_KEEP_PROBABILITY unless the config says
# otherwise, validation is not down-sampled during selection, and runs are ranked by mean macro P/R/F1.
PAPER_SETTINGS: dict[str, Any] = {
    "units": "subword", "max_subwords": 180, "dropout": 0.2, "warmup_ratio": 0.0, "max_grad_norm": 0.0,
    "weight_decay": 0.01, "decoding": "unconstrained", "epoch_selection": "val_loss", "patience": 0,
}
PAPER_KEEP_PROBABILITY = 0.08



def apply_protocol(config: dict[str, Any], origin: str) -> None:
    """Fix the settings `protocol: paper` stands for (see PAPER_SETTINGS); nothing for `word`."""
    if config["protocol"] != "paper":
        return
    grids = [("training/search", config["training"]["search"])]
    grids += [(f"encoders/{name}/search", enc.get("search", {})) for name, enc in config["encoders"].items()]
    for where, grid in grids:
        fixed = sorted(set(grid) & set(PAPER_SETTINGS))
        if fixed:
            raise InputError(origin, f"{where}: {fixed} are fixed by protocol: paper and cannot be searched")
    config["training"]["settings"].update(PAPER_SETTINGS)
    overrides = [enc["training"] for enc in config["encoders"].values() if "training" in enc]
    for settings in overrides + list(config["training"]["pinned"].values()):
        for key in set(settings) & set(PAPER_SETTINGS):
            settings[key] = PAPER_SETTINGS[key]
    for enc in config["encoders"].values():
        if not kind_of(enc["source"]).transformer:  # a word-level baseline: its ids are words and characters, not pieces
            enc.setdefault("training", {})["units"] = "word"
    if config["downsample"]["keep_probability"] is None:
        config["downsample"]["keep_probability"] = PAPER_KEEP_PROBABILITY


def check_semantics(config: dict[str, Any], origin: str, models: set[str], baselines: set[str],
                    setting_names: set[str], check_paths: bool = True) -> None:
    """Cross-field rules the schema cannot state. `models`: the grid's encoder-head models; `baselines`:
    the other models a learning curve may name (the feature CRF); `setting_names`: the schema's training
    settings."""
    encoders = config["encoders"]
    reference = config.setdefault("reference_encoder", next(iter(encoders)))
    if reference not in encoders:
        raise InputError(origin, f"reference_encoder {reference!r} is not one of the encoders {sorted(encoders)}")
    grids = [("training/search", config["training"]["search"])]
    grids += [(f"encoders/{name}/search", enc.get("search", {})) for name, enc in encoders.items()]
    for where, grid in grids:
        unknown = sorted(set(grid) - setting_names)
        if unknown:
            raise InputError(origin, f"{where}: unknown training settings {unknown}; known: {sorted(setting_names)}")
    unknown_panels = sorted(set(config["figures"]["encoders"] or []) - set(encoders))
    if unknown_panels:
        raise InputError(origin, f"figures/encoders: {unknown_panels} are not among the encoders {sorted(encoders)}")
    grid = models | baselines
    unknown_curves = sorted(set(config.get("learning_curve_models") or []) - grid)
    if unknown_curves:
        raise InputError(origin, f"learning_curve_models: {unknown_curves} are not models of the grid {sorted(grid)}")
    unknown_pins = sorted(set(config["training"]["pinned"]) - models)
    if unknown_pins:
        raise InputError(origin, f"training/pinned: {unknown_pins} are not models of the grid {sorted(models)}")
    for name, enc in encoders.items():
        check_encoder_source(name, enc, origin, check_paths)
        if "tokenizer" in enc and enc["source"] != "scratch":
            raise InputError(origin, f"encoders/{name}: 'tokenizer' is only used with source: scratch")
        if "stand_in" in enc and enc["source"] != "stand-in":
            raise InputError(origin, f"encoders/{name}: 'stand_in' is only used with source: stand-in")
        if "architecture" in enc and enc["source"] not in ("scratch", "bilstm"):
            raise InputError(origin, f"encoders/{name}: 'architecture' is only used with source: scratch or bilstm")
        check_sizes(name, enc, origin)
        if "architecture_of" in enc:
            if enc["source"] != "scratch" or "architecture" in enc:
                raise InputError(origin, f"encoders/{name}: 'architecture_of' is only used with source: scratch, "
                                         "without 'architecture'")
            if shipped_settings(enc["architecture_of"]) is None:
                raise InputError(origin, f"encoders/{name}: architecture_of {enc['architecture_of']!r} is not shipped; "
                                         f"shipped: {', '.join(shipped_ids())}")
    if 1.0 not in [float(f) for f in config["training_fractions"]]:
        raise InputError(origin, f"training_fractions {config['training_fractions']} must contain 1.0 (the tables' runs)")
    corpus = config["corpus"]
    if corpus["source"] != "brat":
        return
    if config["split"]["use_dev"] and not corpus.get("dev"):
        raise InputError(origin, "split/use_dev is true but corpus/dev names no folder")
    if bool(corpus.get("test")) == (config["split"]["test_fraction"] is not None):
        raise InputError(origin, "a BRAT corpus needs exactly one of corpus/test (a test folder) and "
                                 "split/test_fraction (hold out that share of the training documents)")
    missing = missing_corpus_folders(config)
    if check_paths and missing:
        raise InputError(origin, missing[0])


def missing_corpus_folders(config: Mapping[str, Any]) -> list[str]:
    """One line per configured BRAT folder (corpus/train, test, dev) that does not exist."""
    corpus = config["corpus"]
    if corpus["source"] != "brat":
        return []
    return [f"corpus/{part}: BRAT folder {corpus[part]!r} does not exist" for part in ("train", "test", "dev")
            if corpus.get(part) and not Path(corpus[part]).is_dir()]


# The sizes an encoder built from scratch must state: missing ones would silently default to a full-size model.
REQUIRED_SIZES: dict[str, tuple[str, ...]] = {
    "scratch": ("n_layers", "dim", "n_heads", "hidden_dim", "vocab_size", "max_position_embeddings"),
    "bilstm": ("n_layers", "dim", "hidden_dim", "vocab_size"),
}


def check_sizes(name: str, enc: Mapping[str, Any], origin: str) -> None:
    required = REQUIRED_SIZES.get(enc["source"])
    if required is None or "architecture_of" in enc:
        return
    missing = [key for key in required if key not in enc.get("architecture", {})]
    if missing:
        alternative = " (or 'architecture_of': a shipped hub id)" if enc["source"] == "scratch" else ""
        raise InputError(origin, f"encoders/{name}/architecture: source {enc['source']} needs its sizes "
                                 f"{', '.join(required)}{alternative}; missing: {', '.join(missing)}")


def check_encoder_source(name: str, enc: Mapping[str, Any], origin: str, check_paths: bool = True) -> None:
    """`adapt` goes with source `adapted` and names a real checkpoint; a package source is installed; a
    folder exists, except (without `check_paths`) an assembled encoder's usual folder, which the workflow
    builds (`missing_assembled_folders` names it)."""
    kind = kind_of(enc["source"])
    if (kind.name == "adapted") != ("adapt" in enc):
        raise InputError(origin, f"encoders/{name}: source: adapted and 'adapt' (its base checkpoint and steps) "
                                 "go together")
    sources = [("source", enc["source"])]
    if "adapt" in enc:
        base = enc["adapt"]["base"]
        if not kind_of(base).is_pretrained or kind_of(base).built_by_pipeline:
            raise InputError(origin, f"encoders/{name}/adapt/base: {base!r} is not a pre-trained checkpoint "
                                     "(package:MODULE, a local folder or a hub id)")
        sources.append(("adapt/base", base))
    for key, source in sources:
        hint = missing_folder_hint(source)
        if hint and (check_paths or not assembled_name(source)):
            raise InputError(origin, f"encoders/{name}/{key}: {hint}")
        if source.startswith(PACKAGE_PREFIX):
            try:
                package_folder(source)
            except EncoderPackageError as error:
                raise InputError(origin, f"encoders/{name}/{key}: {error}") from None


def missing_assembled_folders(config: Mapping[str, Any]) -> list[str]:
    """One line per configured source that is an assembled encoder's usual folder not built yet: the
    workflow's ``assemble_encoder`` rule builds it from the installed parts before any job reads it."""
    lines = []
    for name, enc in config["encoders"].items():
        for key, source in (("source", enc["source"]), ("adapt/base", enc.get("adapt", {}).get("base", ""))):
            if assembled_name(source) and not Path(source).is_dir():
                lines.append(f"encoders/{name}/{key}: {source!r} is not built yet; the rule assemble_encoder builds "
                             f"it first from its installed pinned parts (`make {source}` installs them and builds it; "
                             "docs/configuration.md)")
    return lines
