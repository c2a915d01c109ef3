"""A model card beside every saved model: ``model_card.json`` (machine-readable) and ``MODEL_CARD.md``.

It states the label set, where the encoder came from (and whether it is a stand-in), what it was trained
on (corpus, SHA-256 of the training files, sentence counts, regime, protocol), the settings, seed and
selected epoch, the validation scores, the library versions, and that a model trained on clinical notes
may memorise patient text. Test scores are never part of the model folder (the model must not depend on
test results): the pipeline writes them afterwards to ``test_scores.json`` beside it.

Importing this module needs no torch (the evaluation environment writes ``test_scores.json``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from clinical_ner.atomic import atomic_write_text
from clinical_ner.data.records import Sentence
from clinical_ner.labels import OUTSIDE

CARD_JSON = "model_card.json"
CARD_MD = "MODEL_CARD.md"
TEST_SCORES = "test_scores.json"
PROVENANCE_KEYS = ("base", "package", "package_version", "package_licence", "weights_licence", "pretrained_as")
PRIVACY_WARNING = (
    "Models trained on clinical notes may memorise and reproduce patient text (names, dates, rare "
    "conditions) from their training data. Treat this model and its outputs with the same protections as "
    "the notes it was trained on; do not share it outside the data-use agreement that covers them."
)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def training_data(files: Sequence[str | Path], sentences: Sequence[Sentence], **context: Any) -> dict[str, Any]:
    """What the model was trained on: each file with its SHA-256, counts, and `context` (corpus, regime, ...)."""
    return {
        **context,
        "files": [{"path": str(path), "sha256": file_sha256(path)} for path in files],
        "documents": len({s.doc_id for s in sentences}),
        "sentences": len(sentences),
        "sentences_without_entities": sum(all(t == OUTSIDE for t in s.tags) for s in sentences),
        "tokens": sum(len(s.tokens) for s in sentences),
    }


def encoder_record(name: str, source: str, label: str | None = None) -> dict[str, Any]:
    """The encoder's name, configured source, the folder it loaded from, its kind (`encoder_kinds`) and
    pre-training, and what the pipeline or the package says of it: a stand-in's or a task-adapted
    encoder's note, a package's version and the weights' licence, an assembled folder's upstream, revision
    and weights digest (`split_archives`)."""
    from clinical_ner.models.encoders.kinds import (
        PACKAGE_PREFIX,
        Pretraining,
        kind_of,
        package_provenance,
        resolve_source,
    )
    from clinical_ner.models.encoders.pretraining import encoder_note  # torch: only when training
    from clinical_ner.models.encoders.split_archives import provenance

    source = str(source)
    kind = kind_of(source)
    note = encoder_note(source) if Path(source).is_dir() else None
    record: dict[str, Any] = {"name": name, "label": label or name, "source": source, "kind": kind.name,
                              "pretraining": kind.pretraining.value,
                              "stand_in": kind.pretraining is Pretraining.STAND_IN}
    if source.startswith(PACKAGE_PREFIX):
        record["folder"] = resolve_source(source)
        record.update(package_provenance(source))
    assembled = provenance(source) if Path(source).is_dir() else None
    if assembled is not None:
        record.update({key: assembled[key] for key in ("upstream", "revision", "weights_sha256", "weights_licence",
                                                       "packages")})
    if note is not None:
        record["statement"] = note.get("statement", "")
        if note.get("base_provenance"):
            record["base"] = note.get("base")
            record.update(note["base_provenance"])
    return record


def model_card(
    summary: Mapping[str, Any], tagger_config: Mapping[str, Any], encoder: Mapping[str, Any],
    data: Mapping[str, Any], validation: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The card from a training `summary` (`training.train`), the saved ``tagger.json``, `encoder_record`,
    `training_data` and the validation scores (of the model or, for a re-trained one, of its selection)."""
    settings = dict(summary.get("settings", {}))
    labels = list(tagger_config["labels"])
    return {
        "labels": labels,
        "entity_types": sorted({label[2:] for label in labels if label != OUTSIDE}),
        "head": tagger_config["head"],
        "encoder": dict(encoder),
        "training_data": dict(data),
        "settings": settings,
        "seed": settings.get("seed"),
        "selected_epoch": summary.get("best_epoch"),
        "epochs_run": summary.get("epochs_run"),
        "selection": summary.get("selection"),
        "validation": dict(validation) if validation else None,
        "test_scores": f"not part of the model folder; see ../{TEST_SCORES} when the pipeline has evaluated it",
        "parameters": summary.get("parameters"),
        "trained_on": summary.get("device"),
        "library_versions": dict(tagger_config.get("versions", {})),
        "warning": PRIVACY_WARNING,
    }


def _parameters(counts: Any) -> str:
    if not isinstance(counts, Mapping):
        return str(counts)
    return ", ".join(f"{name} {value:,}" for name, value in counts.items())


def _markdown(card: Mapping[str, Any]) -> str:
    encoder, data = card["encoder"], card["training_data"]
    lines = [
        f"# Model card: {encoder['label']} + {card['head']} head", "",
        f"> **Warning.** {card['warning']}", "",
        "## Labels", "", f"{len(card['labels'])} BIO labels over {len(card['entity_types'])} entity types: "
        + ", ".join(card["entity_types"]) + ".", "",
        "## Encoder", "", f"- source: `{encoder['source']}` ({encoder['kind']}; {encoder.get('pretraining', '')})",
    ]
    lines += [f"- {key.replace('_', ' ')}: {encoder[key]}" for key in PROVENANCE_KEYS if encoder.get(key)]
    if encoder["stand_in"]:
        lines.append(f"- **STAND-IN**: {encoder.get('statement', 'not the real pre-trained model')}")
    elif encoder.get("statement"):
        lines.append(f"- {encoder['statement']}")
    lines += ["", "## Training data", ""]
    lines += [f"- {key}: {value}" for key, value in data.items()
              if key != "files" and value is not None and not isinstance(value, (dict, list))]
    lines += [f"- {key}: `{json.dumps(value)}`" for key, value in data.items() if key != "files" and isinstance(value, (dict, list))]
    lines += [f"- file `{f['path']}`, SHA-256 `{f['sha256']}`" for f in data.get("files", [])]
    lines += ["", "## Training", "", f"- seed: {card['seed']}; selected epoch: {card['selected_epoch']} "
              f"(of {card['epochs_run']} run; {card['selection']})", f"- trained on: {card['trained_on']}",
              f"- parameters: {_parameters(card['parameters'])}", "", "| setting | value |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in card["settings"].items()]
    lines += ["", "## Scores", ""]
    if card["validation"]:
        lines += [f"- validation {key}: {value}" for key, value in card["validation"].items()]
    else:
        lines.append("- validation: none (trained without a validation set)")
    lines += [f"- test: {card['test_scores']}", "", "## Library versions", ""]
    lines += [f"- {name} {version}" for name, version in card["library_versions"].items()]
    return "\n".join(lines) + "\n"


def write_model_card(folder: str | Path, card: Mapping[str, Any]) -> list[Path]:
    """Write ``model_card.json`` and ``MODEL_CARD.md`` into the model folder."""
    folder = Path(folder)
    atomic_write_text(folder / CARD_JSON, json.dumps(card, indent=2) + "\n")
    atomic_write_text(folder / CARD_MD, _markdown(card))
    return [folder / CARD_JSON, folder / CARD_MD]


def write_training_card(
    folder: str | Path, summary: Mapping[str, Any], files: Sequence[str | Path], sentences: Sequence[Sentence],
    context: Mapping[str, Any], encoder_label: str | None = None, validation: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The card of a model just trained into `folder` (its ``tagger.json`` and training `summary`);
    validation defaults to the summary's best validation scores."""
    folder = Path(folder)
    tagger_config = json.loads((folder / "tagger.json").read_text(encoding="utf-8"))
    if validation is None and summary.get("best_val_macro_f1") is not None:
        validation = {"macro_f1": summary["best_val_macro_f1"], "loss": summary["best_val_loss"],
                      "sentences": summary.get("n_val_sentences")}
    encoder = summary.get("encoder", {})
    card = model_card(
        summary, tagger_config,
        encoder_record(encoder.get("name", tagger_config.get("encoder_name", "")),
                       encoder.get("source", tagger_config.get("encoder_source", "")), encoder_label),
        training_data(files, sentences, **context), validation,
    )
    write_model_card(folder, card)
    return card


def evaluated_scores(summary: Mapping[str, Any], spans: Mapping[str, Any]) -> dict[str, Any]:
    """``test_scores.json``: the test-set averages of an evaluated model (``summary.json`` of the evaluation)
    and its entity-level micro/macro scores per semantics (`spans`: semantics -> frame)."""
    record: dict[str, Any] = {key: summary[key] for key in ("bio_strict", "token_level") if key in summary}
    record["sentences"] = summary.get("n_sentences")
    for semantics, frame in spans.items():
        averages = frame[frame["label"].isin(["micro avg", "macro avg"])]
        record[f"entities_{semantics}"] = {
            f"{row.mode} {row.label}": {m: round(float(getattr(row, m)), 6) for m in ("precision", "recall", "f1")}
            for row in averages.itertuples()
        }
    return record
