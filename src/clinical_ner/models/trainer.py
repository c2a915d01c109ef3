"""The training loop as named steps: one epoch, evaluate, early stop (and its state), over a built Tagger.

`Trainer.fit()` runs `train_epoch` -> `evaluate` -> `end_epoch` until the epochs are done or early
stopping fires; `history` holds one row per epoch (the columns of `HISTORY_COLUMNS`).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from clinical_ner.data.records import Sentence
from clinical_ner.evaluation.metrics import macro_f1
from clinical_ner.models.alignment import Window
from clinical_ner.models.device import autocast, grad_scaler
from clinical_ner.models.tagger import Tagger

if TYPE_CHECKING:
    from clinical_ner.models.training import TrainSettings

HISTORY_COLUMNS = ("epoch", "train_loss", "val_loss", "val_macro_f1", "learning_rate", "seconds", "tokens_per_second")
BUCKET_BATCHES = 50  # batches per length bucket


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


def evaluate(tagger: Tagger, sentences: Sequence[Sentence], batch_size: int) -> tuple[float, float, list[list[str]]]:
    """(Mean validation loss per window, macro-F1 over the tagger's labels, predicted tags), in eval mode."""
    loss, ids = tagger.score(sentences, batch_size)
    tags = [[tagger.labels[i] for i in row] for row in ids]
    return loss, macro_f1([s.tags for s in sentences], tags, tagger.labels), tags


def build_optimizer(tagger: Tagger, settings: TrainSettings) -> torch.optim.Optimizer:
    """AdamW; no weight decay on biases and normalisation weights."""
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


def rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass
class EarlyStopping:
    """Best epoch so far (validation macro-F1, ties: lower loss) and epochs without improvement.

    Without validation every epoch "improves", so the last one is kept.
    """

    patience: int
    validated: bool
    best: dict[str, Any] | None = None
    best_state: dict[str, torch.Tensor] | None = None
    stale: int = 0
    stopped: bool = False

    def improves(self, row: dict[str, Any]) -> bool:
        if not self.validated or self.best is None:
            return True
        return (row["val_macro_f1"], -row["val_loss"]) > (self.best["val_macro_f1"], -self.best["val_loss"])

    def update(self, row: dict[str, Any], tagger: Tagger) -> bool:
        """Record epoch `row`; True when training should stop."""
        if self.improves(row):
            self.best = dict(row)
            self.stale = 0
            if self.validated:
                self.best_state = {k: v.detach().cpu().clone() for k, v in tagger.state_dict().items()}
            return False
        self.stale += 1
        self.stopped = self.patience > 0 and self.stale >= self.patience
        return self.stopped


@dataclass
class Trainer:
    """AdamW with linear warm-up and decay, gradient clipping, length-bucketed batches, early stopping."""

    tagger: Tagger
    settings: TrainSettings
    windows: list[Window]
    val_sentences: list[Sentence] | None
    log: Callable[[str], None] = lambda message: None
    history: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from transformers import get_linear_schedule_with_warmup

        self.rng = random.Random(self.settings.seed)
        self.total_steps = max(1, self.steps_per_epoch * self.settings.epochs)
        self.optimizer = build_optimizer(self.tagger, self.settings)
        self.scheduler = get_linear_schedule_with_warmup(
            self.optimizer, int(self.settings.warmup_ratio * self.total_steps), self.total_steps
        )
        self.scaler = grad_scaler(self.tagger.device)
        self.stopping = EarlyStopping(self.settings.patience, validated=bool(self.val_sentences))

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.windows) / self.settings.batch_size)

    @property
    def epochs_done(self) -> int:
        return len(self.history)

    def step(self, batch_ids: Sequence[int]) -> tuple[float, int]:
        """One optimiser step on a batch of windows: (loss, sub-word tokens)."""
        batch = self.tagger.to_batch([self.windows[i] for i in batch_ids])
        with autocast(self.tagger.device):
            loss = self.tagger.loss(batch)
        self.optimizer.zero_grad(set_to_none=True)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.tagger.parameters(), self.settings.max_grad_norm)
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.tagger.parameters(), self.settings.max_grad_norm)
            self.optimizer.step()
        self.scheduler.step()
        return loss.detach().item(), int(batch["attention_mask"].sum())

    def train_epoch(self) -> dict[str, Any]:
        """One pass over the training windows; the epoch's history row without validation scores."""
        self.tagger.train()
        started = time.perf_counter()
        losses: list[float] = []
        n_tokens = 0
        for batch_ids in length_batches(self.windows, self.settings.batch_size, self.rng):
            loss, tokens = self.step(batch_ids)
            losses.append(loss)
            n_tokens += tokens
        seconds = time.perf_counter() - started
        return {
            "epoch": self.epochs_done + 1,
            "train_loss": rounded(sum(losses) / max(len(losses), 1)),
            "val_loss": None,
            "val_macro_f1": None,
            "learning_rate": rounded(self.scheduler.get_last_lr()[0], 10),
            "seconds": None,
            "tokens_per_second": round(n_tokens / seconds, 1) if seconds > 0 else None,
        }

    def evaluate(self, row: dict[str, Any]) -> None:
        """Fill the row's validation loss and macro-F1 (no-op without validation sentences)."""
        if self.val_sentences:
            val_loss, val_f1, _ = evaluate(self.tagger, self.val_sentences, self.settings.eval_batch_size)
            row["val_loss"], row["val_macro_f1"] = rounded(val_loss), rounded(val_f1)

    def end_epoch(self, row: dict[str, Any]) -> bool:
        """Append the row to the history, log it, update early stopping; True when training should stop."""
        self.history.append(row)
        self.log(
            f"epoch {row['epoch']}: train_loss={row['train_loss']} val_loss={row['val_loss']} "
            f"val_macro_f1={row['val_macro_f1']} ({row['seconds']} s)"
        )
        return self.stopping.update(row, self.tagger)

    def fit(self) -> None:
        """Train until the epochs are done or early stopping fires; leave the tagger on the kept epoch."""
        while self.epochs_done < self.settings.epochs:
            started = time.perf_counter()
            row = self.train_epoch()
            self.evaluate(row)
            row["seconds"] = round(time.perf_counter() - started, 3)
            if self.end_epoch(row):
                break
        if self.stopping.best_state is not None:
            self.tagger.load_state_dict(self.stopping.best_state)
        self.tagger.eval()
