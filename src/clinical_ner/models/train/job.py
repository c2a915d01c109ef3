"""The training job: `train()` builds the seeded Tagger, runs the `Trainer` (train/loop.py)
and writes the selected model, history.csv and summary.json."""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from clinical_ner.data.records import Sentence
from clinical_ner.models.device import describe, pick_device, set_threads
from clinical_ner.models.encoders.build import load_encoder
from clinical_ner.models.encoders.spec import EncoderSpec
from clinical_ner.models.heads.layers import HEAD_TYPES
from clinical_ner.models.sizes.counts import count_parameters
from clinical_ner.models.tagger import Tagger
from clinical_ner.models.train.checkpoint import checkpoint_path, fingerprint, load_checkpoint, remove_checkpoint
from clinical_ner.models.train.loop import CHECKPOINT_SECONDS, HISTORY_COLUMNS, Trainer
from clinical_ner.models.train.settings import SELECTION_TEXT, TrainSettings
from clinical_ner.models.units.alignment import window_report
from clinical_ner.models.units.subwords import truncation_report


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def build_tagger(
    spec: EncoderSpec, head: str, labels: Sequence[str], settings: TrainSettings, train_sentences: Sequence[Sentence]
) -> Tagger:
    """A fresh, seeded Tagger: the encoder (built or loaded) and a head initialised from `settings.seed`."""
    seed_everything(settings.seed)
    encoder, tokenizer = load_encoder(spec, train_sentences if spec.is_scratch else None, seed=settings.seed)
    torch.manual_seed(settings.seed)  # the head's initialisation does not depend on the encoder's source
    return Tagger(
        encoder, tokenizer, head, labels, dropout=settings.dropout, max_length=settings.max_length,
        encoder_name=spec.name, encoder_source=spec.source, decoding=settings.decoding,
        units=settings.units, max_subwords=settings.max_subwords,
    )


def _write_history(path: Path, history: list[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(HISTORY_COLUMNS))
        writer.writeheader()
        for row in history:
            writer.writerow({k: ("" if row[k] is None else row[k]) for k in HISTORY_COLUMNS})


def train(
    spec: EncoderSpec,
    head: str,
    labels: Sequence[str],
    settings: TrainSettings,
    train_sentences: Sequence[Sentence],
    val_sentences: Sequence[Sentence] | None,
    out_dir: str | Path,
    device: str | torch.device | None = None,
    log: Callable[[str], None] | None = None,
    checkpoint_dir: str | Path | None = None,
    checkpoint_seconds: float = CHECKPOINT_SECONDS,
) -> dict[str, Any]:
    """Train encoder `spec` with head `head` ("apt" | "crf") and save the selected model to `out_dir`.

    With validation sentences: evaluate after every epoch, keep the epoch with the best validation
    macro-F1 (ties: lower validation loss), stop after `patience` epochs without improvement. Without:
    train exactly `settings.epochs` epochs and keep the last. Writes the Tagger, history.csv and
    summary.json to `out_dir` and returns the summary.

    With `checkpoint_dir` (a scratch folder, not an output): the training state is saved there after every
    epoch and every `checkpoint_seconds` within one; a later call of the same run (same fingerprint:
    encoder, head, labels, settings but threads, data) resumes from it and ends with the same weights
    and history as an uninterrupted run. The checkpoint is removed once the outputs are written.
    """
    if head not in HEAD_TYPES:
        raise ValueError(f"unknown head {head!r}; expected one of {', '.join(HEAD_TYPES)}")
    train_sentences = [s for s in train_sentences if s.tokens]
    if not train_sentences:
        raise ValueError("no training sentences")
    val_sentences = [s for s in val_sentences if s.tokens] if val_sentences is not None else None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    set_threads(settings.threads)
    dev = pick_device(device)
    tagger = build_tagger(spec, head, labels, settings, train_sentences).to(dev)
    windows = tagger.windows(train_sentences, with_labels=True)
    key = fingerprint(spec.to_dict(), head, labels, settings.to_dict(), train_sentences, val_sentences)
    trainer = Trainer(
        tagger, settings, windows, val_sentences, log=log or (lambda message: None),
        checkpoint_dir=Path(checkpoint_dir) if checkpoint_dir is not None else None, fingerprint=key,
        checkpoint_seconds=checkpoint_seconds,
    )
    if checkpoint_dir is not None:
        state = load_checkpoint(checkpoint_dir, key)
        if state is not None:
            trainer.resume(state)
        elif checkpoint_path(checkpoint_dir).is_file():
            trainer.log(f"{checkpoint_path(checkpoint_dir)}: a checkpoint of another run; starting afresh")
    trainer.fit()
    tagger.save(out_dir)
    _write_history(out_dir / "history.csv", trainer.history)
    best = trainer.stopping.best
    assert best is not None
    summary = {
        "encoder": spec.to_dict(),
        "head": head,
        "settings": settings.to_dict(),
        "labels": list(labels),
        "best_epoch": best["epoch"],
        "best_val_macro_f1": best["val_macro_f1"],
        "best_val_loss": best["val_loss"],
        "best_val_macro_precision": best["val_macro_precision"],
        "best_val_macro_recall": best["val_macro_recall"],
        "epochs_run": trainer.epochs_done,
        "stopped_early": trainer.stopping.stopped,
        "steps": trainer.global_step,
        "max_steps_reached": trainer.max_steps_reached,
        "selection": SELECTION_TEXT[settings.epoch_selection] if val_sentences else "last epoch (no validation)",
        "n_train_sentences": len(train_sentences),
        "n_train_windows": len(windows),
        "train_windows": (
            window_report(windows, [s.tags for s in train_sentences]) if settings.units == "word"
            else truncation_report(tagger.unit_rows(train_sentences))
        ),
        "n_val_sentences": len(val_sentences) if val_sentences else 0,
        "parameters": count_parameters(tagger),
        "device": describe(dev),
        "threads": torch.get_num_threads(),
        "seconds": round(time.perf_counter() - started, 3),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if checkpoint_dir is not None:
        remove_checkpoint(checkpoint_dir)
    return summary
