"""Fine-tuning / training loop: AdamW, linear warm-up, gradient clipping, length-bucketed batches with
dynamic padding, early stopping and best-epoch selection on validation macro-F1 (ties: lower loss)."""

from __future__ import annotations

import copy
import csv
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from clinical_ner.models.alignment import Window
from clinical_ner.models.device import autocast, describe, grad_scaler, pick_device, set_threads
from clinical_ner.models.encoders import EncoderSpec, load_encoder
from clinical_ner.models.heads import HEAD_TYPES
from clinical_ner.models.params import count_parameters
from clinical_ner.data.records import Sentence, SettingsRecord
from clinical_ner.models.tagger import Tagger

HISTORY_COLUMNS = ("epoch", "train_loss", "val_loss", "val_macro_f1", "learning_rate", "seconds", "tokens_per_second")
BUCKET_BATCHES = 50  # batches per length bucket


@dataclass
class TrainSettings(SettingsRecord):
    kind = "training setting"

    learning_rate: float = 5e-5
    epochs: int = 10
    batch_size: int = 16
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    dropout: float = 0.1
    patience: int = 3            # epochs without improvement before stopping; <= 0 disables early stopping
    seed: int = 42
    max_length: int = 512        # sub-word ids per window, special tokens included
    threads: int = 1             # torch CPU threads
    eval_batch_size: int = 64



def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def macro_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    """BIO-strict token macro-F1 (sklearn, average="macro") over the labels present in the gold tags
    (`O` included; each B-X / I-X is its own class)."""
    from sklearn.metrics import f1_score

    y_true = [t for row in gold for t in row]
    y_pred = [t for row in pred for t in row]
    if not y_true:
        return 0.0
    labels = sorted(set(y_true))
    return float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0))


def length_batches(windows: Sequence[Window], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled, length-bucketed batches of window indices: shuffle, cut into buckets of
    ``BUCKET_BATCHES * batch_size``, sort each bucket by length, cut into batches, shuffle the batches."""
    order = list(range(len(windows)))
    rng.shuffle(order)
    bucket = max(1, batch_size * BUCKET_BATCHES)
    batches: list[list[int]] = []
    for b in range(0, len(order), bucket):
        chunk = sorted(order[b: b + bucket], key=lambda i: len(windows[i]))
        batches.extend(chunk[k: k + batch_size] for k in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


@torch.no_grad()
def evaluate(tagger: Tagger, sentences: Sequence[Sentence], batch_size: int) -> tuple[float, float, list[list[str]]]:
    """(mean validation loss per window, macro-F1, predicted tags) in eval mode."""
    tagger.eval()
    windows = tagger.windows(sentences, with_labels=True)
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
    total, count = 0.0, 0
    preds: list[list[int] | None] = [None] * len(windows)
    with autocast(tagger.device):
        for b in range(0, len(order), batch_size):
            chunk = order[b: b + batch_size]
            batch = tagger.to_batch([windows[i] for i in chunk])
            words = tagger.word_vectors(batch)
            with torch.autocast(device_type=words.device.type, enabled=False):
                words = words.float()
                loss = tagger.head.loss(words, batch["word_mask"], batch["labels"])
                decoded = tagger.head.decode(words, batch["word_mask"])
            total += float(loss) * len(chunk)
            count += len(chunk)
            for i, row in zip(chunk, decoded):
                preds[i] = row
    from clinical_ner.models.alignment import reassemble

    ids = reassemble(windows, preds, [len(s.tokens) for s in sentences])  # type: ignore[arg-type]
    tags = [[tagger.labels[i] for i in row] for row in ids]
    return total / max(count, 1), macro_f1([s.tags for s in sentences], tags), tags


def _optimizer(tagger: Tagger, settings: TrainSettings) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for name, param in tagger.named_parameters():
        if not param.requires_grad:
            continue
        (no_decay if param.dim() < 2 or "norm" in name.lower() else decay).append(param)
    groups = [
        {"params": decay, "weight_decay": settings.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=settings.learning_rate)


def _write_history(path: Path, history: list[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(HISTORY_COLUMNS))
        writer.writeheader()
        for row in history:
            writer.writerow({k: ("" if row[k] is None else row[k]) for k in HISTORY_COLUMNS})


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


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
) -> dict[str, Any]:
    """Train encoder `spec` with head `head` ("apt" | "crf") and save the selected model to `out_dir`.

    With validation sentences: evaluate after every epoch, keep the epoch with the best validation
    macro-F1 (ties: lower validation loss), stop after `patience` epochs without improvement. Without:
    train exactly `settings.epochs` epochs and keep the last. Writes the Tagger, history.csv and
    summary.json to `out_dir` and returns the summary.
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
    seed_everything(settings.seed)

    encoder, tokenizer = load_encoder(spec, train_sentences if spec.is_scratch else None, seed=settings.seed)
    torch.manual_seed(settings.seed)  # the head's initialisation does not depend on the encoder's source
    tagger = Tagger(
        encoder, tokenizer, head, labels, dropout=settings.dropout, max_length=settings.max_length,
        encoder_name=spec.name, encoder_source=spec.source,
    ).to(dev)
    windows = tagger.windows(train_sentences, with_labels=True)
    rng = random.Random(settings.seed)
    n_batches = math.ceil(len(windows) / settings.batch_size)
    total_steps = max(1, n_batches * settings.epochs)
    optimizer = _optimizer(tagger, settings)
    from transformers import get_linear_schedule_with_warmup

    scheduler = get_linear_schedule_with_warmup(optimizer, int(settings.warmup_ratio * total_steps), total_steps)
    scaler = grad_scaler(dev)
    say = log or (lambda message: None)
    history: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    best_state: dict[str, torch.Tensor] | None = None
    stale = 0
    stopped_early = False
    for epoch in range(1, settings.epochs + 1):
        tagger.train()
        epoch_start = time.perf_counter()
        losses: list[float] = []
        n_tokens = 0
        for batch_ids in length_batches(windows, settings.batch_size, rng):
            batch = tagger.to_batch([windows[i] for i in batch_ids])
            n_tokens += int(batch["attention_mask"].sum())
            with autocast(dev):
                loss = tagger.loss(batch)
            optimizer.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(tagger.parameters(), settings.max_grad_norm)
                scaler.step(optimizer)
                scaler.update()
            else:
                loss.backward()
                torch.nn.utils.clip_grad_norm_(tagger.parameters(), settings.max_grad_norm)
                optimizer.step()
            scheduler.step()
            losses.append(loss.detach().item())
        train_seconds = time.perf_counter() - epoch_start
        row: dict[str, Any] = {
            "epoch": epoch,
            "train_loss": _round(sum(losses) / max(len(losses), 1)),
            "val_loss": None,
            "val_macro_f1": None,
            "learning_rate": _round(scheduler.get_last_lr()[0], 10),
            "seconds": None,
            "tokens_per_second": round(n_tokens / train_seconds, 1) if train_seconds > 0 else None,
        }
        improved = False
        if val_sentences:
            val_loss, val_f1, _ = evaluate(tagger, val_sentences, settings.eval_batch_size)
            row["val_loss"], row["val_macro_f1"] = _round(val_loss), _round(val_f1)
            key = (row["val_macro_f1"], -row["val_loss"])
            if best is None or key > (best["val_macro_f1"], -best["val_loss"]):
                improved = True
        else:
            improved = True  # no validation: the last epoch is kept
        row["seconds"] = round(time.perf_counter() - epoch_start, 3)
        history.append(row)
        say(
            f"epoch {epoch}: train_loss={row['train_loss']} val_loss={row['val_loss']} "
            f"val_macro_f1={row['val_macro_f1']} ({row['seconds']} s)"
        )
        if improved:
            best = dict(row)
            stale = 0
            if val_sentences:
                best_state = {k: v.detach().cpu().clone() for k, v in tagger.state_dict().items()}
        else:
            stale += 1
            if settings.patience > 0 and stale >= settings.patience:
                stopped_early = True
                break
    if best_state is not None:
        tagger.load_state_dict(best_state)
    tagger.eval()
    tagger.save(out_dir)
    _write_history(out_dir / "history.csv", history)
    assert best is not None
    summary = {
        "encoder": spec.to_dict(),
        "head": head,
        "settings": settings.to_dict(),
        "labels": list(labels),
        "best_epoch": best["epoch"],
        "best_val_macro_f1": best["val_macro_f1"],
        "best_val_loss": best["val_loss"],
        "epochs_run": len(history),
        "stopped_early": stopped_early,
        "selection": "validation macro-F1, ties: lower validation loss" if val_sentences else "last epoch (no validation)",
        "n_train_sentences": len(train_sentences),
        "n_train_windows": len(windows),
        "n_val_sentences": len(val_sentences) if val_sentences else 0,
        "parameters": count_parameters(tagger),
        "device": describe(dev),
        "threads": torch.get_num_threads(),
        "seconds": round(time.perf_counter() - started, 3),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def deep_copy_settings(settings: TrainSettings, **changes: Any) -> TrainSettings:
    """A copy of `settings` with some fields changed (e.g. the epochs selected on validation)."""
    values = copy.deepcopy(settings.to_dict())
    values.update(changes)
    return TrainSettings.from_dict(values)
