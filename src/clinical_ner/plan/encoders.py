"""Where the corpus and each encoder are read from, and what a training job is told about them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from clinical_ner import config as cfg
from clinical_ner.models.encoders.kinds import PACKAGE_PREFIX, kind_of, package_folder
from clinical_ner.models.encoders.split_archives import assembled_name
from clinical_ner.plan.runs import FULL, Config, stand_in_encoders, transformer_encoders


def held_out(config: Config) -> bool:
    """Whether the test set is a held-out share of corpus.train (split.test_fraction)."""
    return config["corpus"]["source"] == "brat" and config["split"]["test_fraction"] is not None


def corpus_folder(config: Config, source: str) -> str:
    """The BRAT folder of a corpus part: generated (synthetic, or the training folder with a share of its
    documents held out as the test set: split.test_fraction) or given in config."""
    if config["corpus"]["source"] == "synthetic":
        return f"{config['results']}/corpus/{source}"
    if held_out(config) and source in ("train", "test"):
        return f"{config['results']}/corpus/held_out/{source}"
    return config["corpus"][source]


def corpus_input(config: Config, source: str) -> str | list[str]:
    """The corpus part's folder as a job input; a configured folder that is absent is left undeclared, so a
    dry run plans the whole DAG and build_sentences fails naming the config key when it runs."""
    folder = corpus_folder(config, source)
    if config["corpus"]["source"] == "synthetic" or (held_out(config) and source in ("train", "test")):
        return folder
    if Path(folder).is_dir():
        return folder
    return []


def source_folder(source: str) -> str | None:
    """The local folder a configured source loads from (a package's model folder; an assembled encoder's
    usual folder, built or not: the rule assemble_encoder builds it), or None (hub id, scratch)."""
    if source.startswith(PACKAGE_PREFIX):
        return str(package_folder(source))
    if assembled_name(source):
        return source
    return source if os.path.isdir(os.path.expanduser(source)) else None


def encoder_source(config: Config, encoder: str) -> str:
    """What an encoder's jobs load: the pipeline's own folder for stand-ins and task-adapted encoders, else
    the configured source (a package source is resolved when the job loads it)."""
    source = config["encoders"][encoder]["source"]
    return f"{config['results']}/encoders/{encoder}" if kind_of(source).built_by_pipeline else source


def architecture_source(config: Config, encoder: str) -> str:
    """Where an encoder's architecture is read (Table I): a task-adapted encoder has its base's."""
    entry = config["encoders"][encoder]
    return entry["adapt"]["base"] if "adapt" in entry else encoder_source(config, encoder)


def encoder_folder(config: Config, encoder: str) -> str | None:
    """The encoder's folder as a job input (built by the DAG, shipped by a package or local), or None."""
    if cfg.encoder_kind(config, encoder).built_by_pipeline:
        return f"{config['results']}/encoders/{encoder}"
    return source_folder(config["encoders"][encoder]["source"])


def encoder_spec(config: Config, encoder: str) -> dict[str, Any]:
    """What a training script needs to build an encoder: its name, where it loads from, and sizes."""
    entry = config["encoders"][encoder]
    spec = {"name": encoder, "source": encoder_source(config, encoder)}
    spec.update(entry.get("architecture", {}))
    for key in ("tokenizer", "architecture_of"):
        if key in entry:
            spec[key] = entry[key]
    return spec


def architecture_spec(config: Config, encoder: str) -> dict[str, Any]:
    """`encoder_spec` with the folder Table I reads the architecture from."""
    return {**encoder_spec(config, encoder), "source": architecture_source(config, encoder)}


def architecture_inputs(config: Config) -> dict[str, str]:
    """Encoders whose architecture is read from a folder: stand-ins (built by the DAG), task-adapted
    encoders (their base's), package and local folders."""
    inputs = {}
    stand_ins = stand_in_encoders(config)
    for encoder in transformer_encoders(config):
        if encoder in stand_ins:
            inputs[encoder] = encoder_folder(config, encoder)
        elif source_folder(architecture_source(config, encoder)):
            inputs[encoder] = source_folder(architecture_source(config, encoder))
    return inputs


def model_units(config: Config, encoder: str) -> str:
    """What an encoder's models label and are scored on: its `units` setting (the feature CRF: words)."""
    if encoder not in config["encoders"]:
        return "word"
    return cfg.base_settings(config, encoder).get("units", "word")


def split_inputs(config: Config) -> dict[str, str]:
    """The sentence files of the corpus parts (dev only when used)."""
    results = config["results"]
    inputs = {"train": f"{results}/data/sentences/train.jsonl", "test": f"{results}/data/sentences/test.jsonl"}
    if config["split"]["use_dev"]:
        inputs["dev"] = f"{results}/data/sentences/dev.jsonl"
    return inputs


def training_inputs(config: Config, regime: str, fraction: str = FULL, encoder: str | None = None) -> dict[str, str]:
    """Training and validation sentences of a regime (`fraction`: that subset of the training documents),
    and the encoder's folder when it has one."""
    results = config["results"]
    inputs = {
        "train": f"{results}/data/{regime}/train" + ("" if fraction == FULL else f"_f{fraction}") + ".jsonl",
        "val": f"{results}/data/{regime}/val.jsonl",
    }
    if encoder in config["encoders"]:
        folder = encoder_folder(config, encoder)
        if folder:
            inputs["encoder"] = folder
    return inputs


def candidate_inputs(config: Config, regime: str, fraction: str = FULL, encoder: str | None = None) -> dict[str, str]:
    """As `training_inputs`, with the validation split that scores candidates (protocol paper: never
    down-sampled)."""
    validation = cfg.selection_validation(config, regime)
    return {
        **training_inputs(config, regime, fraction, encoder),
        "val": f"{config['results']}/data/{validation}/val.jsonl",
    }


def training_provenance(config: Config, regime: str) -> dict[str, Any]:
    """What a model card says about the training data besides the files: corpus, label map, regime, protocol."""
    corpus = config["corpus"]
    described = {"source": corpus["source"]}
    if corpus["source"] == "synthetic":
        described["synthetic"] = corpus["synthetic"]
    else:
        described.update({part: corpus[part] for part in ("train", "dev") if corpus.get(part)})
        if held_out(config):  # trained on the documents of corpus.train not held out as the test set
            described["held_out_test"] = {"fraction": config["split"]["test_fraction"], "seed": config["split"]["seed"]}
    return {
        "corpus": described,
        "label_map": corpus["label_map"],
        "regime": regime,
        "downsample": config["downsample"] if regime == "downsampled" else None,
        "protocol": config.get("protocol", "word"),
    }
