"""The training loop as named steps: one epoch, evaluate, early stop, checkpoint, over a built Tagger.

`Trainer.fit()` runs `train_epoch` -> `evaluate` -> `end_epoch` -> `checkpoint` until the epochs are done
or early stopping fires; `history` holds one row per epoch (the columns of `HISTORY_COLUMNS`). With a
checkpoint folder, the whole training state is saved after every epoch and every `checkpoint_seconds`
within an epoch, and `resume()` continues from it exactly (same batches, same random numbers).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import torch

from clinical_ner.data.records import Sentence
from clinical_ner.evaluation.metrics import macro_scores
from clinical_ner.models.device import autocast, backward_step, grad_scaler
from clinical_ner.models.tagger import Tagger
from clinical_ner.models.train.checkpoint import restore_rng, rng_states, save_checkpoint
from clinical_ner.models.train.progress import PROGRESS_SECONDS, Progress, duration
from clinical_ner.models.train.settings import TrainSettings
from clinical_ner.models.units.alignment import Window

HISTORY_COLUMNS = (
    "epoch", "train_loss", "val_loss", "val_macro_f1", "val_macro_precision", "val_macro_recall", "learning_rate",
    "seconds", "tokens_per_second", "steps", "max_steps_reached",
)
BUCKET_BATCHES = 50  # batches per length bucket
CHECKPOINT_SECONDS = 600.0  # within an epoch; a checkpoint is also written after every epoch


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


def validation_scores(tagger: Tagger, sentences: Sequence[Sentence], batch_size: int) -> tuple[float, dict[str, float], list[list[str]]]:
    """(Mean validation loss per window, macro precision/recall/F1 over the tagger's labels, predicted
    tags), in eval mode, on the tagger's units (words, or sub-words)."""
    loss, ids = tagger.score(sentences, batch_size)
    tags = [[tagger.labels[i] for i in row] for row in ids]
    return loss, macro_scores(tagger.unit_tags(sentences), tags, tagger.labels), tags


FUSED_DEVICES = ("cpu", "cuda")


def build_optimizer(tagger: Tagger, settings: TrainSettings) -> torch.optim.Optimizer:
    """AdamW; no weight decay on biases and normalisation weights; the head's parameters at
    `head_learning_rate` when it is set. The fused kernel (one call per step for all parameters, as
    Hugging Face `Trainer`'s default `adamw_torch_fused`) on CPU and CUDA: the per-parameter loop of the
    default implementation took a third of a CPU training step."""
    head_rate = settings.head_learning_rate or settings.learning_rate
    by_rate_and_decay: dict[tuple[float, float], list[torch.nn.Parameter]] = {}
    for name, param in tagger.named_parameters():
        if not param.requires_grad:
            continue
        decay = 0.0 if param.dim() < 2 or "norm" in name.lower() else settings.weight_decay
        rate = head_rate if name.startswith("head.") else settings.learning_rate
        by_rate_and_decay.setdefault((rate, decay), []).append(param)
    groups = [{"params": params, "lr": rate, "weight_decay": decay}
              for (rate, decay), params in by_rate_and_decay.items()]
    fused = all(p.device.type in FUSED_DEVICES for group in groups for p in group["params"])
    return torch.optim.AdamW(groups, lr=settings.learning_rate, fused=fused)


def compiled_loss(tagger: Tagger, mode: bool | str) -> Callable[[dict[str, torch.Tensor]], torch.Tensor]:
    """The tagger's loss with its encoder compiled in place (`torch.compile`, dynamic shapes: batches
    differ in length); for `mode` ``"cudagraphs"`` with CUDA graphs (inductor's ``reduce-overhead``: a
    step's encoder kernels replayed as one graph, one graph recorded per batch shape; CPU tensors run
    without graphs). The head's recursions over word positions stay eager. Batches are not padded to
    fewer shapes, as that would change the dropout masks a seed draws. The weights, their names and
    what is saved are the same as without compiling; random numbers (dropout) are drawn as in eager
    mode (inductor's ``fallback_random``), so a seed gives the eager run's results up to rounding."""
    import torch._inductor.config as inductor_config

    inductor_config.fallback_random = True
    tagger.encoder.compile(dynamic=True, mode="reduce-overhead" if mode == "cudagraphs" else None)
    return tagger.loss


def _linear_warmup(step: int, warmup_steps: int, total_steps: int) -> float:
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    return max(0.0, float(total_steps - step) / float(max(1, total_steps - warmup_steps)))


def linear_schedule(optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up from 0 over `warmup_steps`, then linear decay to 0 at `total_steps`: the same factors
    as transformers' `get_linear_schedule_with_warmup`, without importing transformers (BiLSTM jobs)."""
    factor = partial(_linear_warmup, warmup_steps=warmup_steps, total_steps=total_steps)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / max(len(values), 1)


def rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass
class EarlyStopping:
    """Best epoch so far and epochs without improvement: by validation macro-F1 (ties: lower loss), or
    with ``criterion="val_loss"`` by the lowest validation loss (the study's choice; ties: the earlier).

    Without validation every epoch "improves", so the last one is kept.
    """

    patience: int
    validated: bool
    criterion: str = "macro_f1"
    best: dict[str, Any] | None = None
    best_state: dict[str, torch.Tensor] | None = None
    stale: int = 0
    stopped: bool = False

    def improves(self, row: dict[str, Any]) -> bool:
        if not self.validated or self.best is None:
            return True
        if self.criterion == "val_loss":
            return row["val_loss"] < self.best["val_loss"]
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

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_state": self.best_state, "stale": self.stale, "stopped": self.stopped}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_state = state["best"], state["best_state"]
        self.stale, self.stopped = state["stale"], state["stopped"]


@dataclass
class Trainer:
    """AdamW with linear warm-up and decay, gradient clipping (none when ``max_grad_norm`` is 0),
    length-bucketed batches, early stopping. With ``max_steps``, the schedule spans the capped number of
    optimiser steps and the epoch in which the cap is reached is the last (evaluated and checkpointed)."""

    tagger: Tagger
    settings: TrainSettings
    windows: list[Window]
    val_sentences: list[Sentence] | None
    log: Callable[[str], None] = lambda message: None
    checkpoint_dir: Path | None = None
    fingerprint: str = ""
    checkpoint_seconds: float = CHECKPOINT_SECONDS
    progress_seconds: float = PROGRESS_SECONDS
    history: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.settings.seed)
        self.total_steps = max(1, self.steps_per_epoch * self.settings.epochs)
        if self.settings.max_steps:
            self.total_steps = min(self.total_steps, self.settings.max_steps)
        self.optimizer = build_optimizer(self.tagger, self.settings)
        self.loss_fn = compiled_loss(self.tagger, self.settings.compile) if self.settings.compile else self.tagger.loss
        self.graphs = self.settings.compile == "cudagraphs"
        self.scheduler = linear_schedule(self.optimizer, int(self.settings.warmup_ratio * self.total_steps), self.total_steps)
        self.scaler = grad_scaler(self.tagger.device)
        self.stopping = EarlyStopping(
            self.settings.patience, validated=bool(self.val_sentences), criterion=self.settings.epoch_selection
        )
        self.global_step = 0
        self.partial_epoch: dict[str, Any] | None = None  # where a resumed run re-enters its epoch
        self.progress = Progress(self.log, self.total_steps, every=self.progress_seconds)

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.windows) / self.settings.batch_size)

    @property
    def epochs_done(self) -> int:
        return len(self.history)

    @property
    def max_steps_reached(self) -> bool:
        """True once `settings.max_steps` optimiser steps are done (never without a cap)."""
        return bool(self.settings.max_steps) and self.global_step >= self.settings.max_steps

    def step(self, batch_ids: Sequence[int]) -> tuple[torch.Tensor, int]:
        """One optimiser step on a batch of windows: (the loss, detached and left on the model's device so
        that the host never waits for it; the batch's sub-word tokens, counted on the host)."""
        batch = self.tagger.to_batch([self.windows[i] for i in batch_ids])
        if self.graphs:
            torch.compiler.cudagraph_mark_step_begin()
        with autocast(self.tagger.device):
            loss = self.loss_fn(batch)
        self.optimizer.zero_grad(set_to_none=True)
        backward_step(loss, self.optimizer, self.tagger.parameters(), self.settings.max_grad_norm, self.scaler)
        self.scheduler.step()
        return loss.detach(), sum(len(self.windows[i]) for i in batch_ids)

    def train_epoch(self) -> dict[str, Any]:
        """One pass over the training windows (from where a resumed run stopped); the epoch's history row
        without validation scores. The steps' losses stay on the device and are read back in one copy
        when a progress line or a checkpoint needs them, and at the epoch's end."""
        self.tagger.train()
        partial, self.partial_epoch = self.partial_epoch, None
        if partial is not None:
            self.rng.setstate(partial["rng"])
        epoch_rng = self.rng.getstate()
        batches = length_batches(self.windows, self.settings.batch_size, self.rng)
        losses: list[float] = list(partial["losses"]) if partial else []
        pending: list[torch.Tensor] = []

        def read() -> list[float]:
            if pending:
                losses.extend(torch.stack(pending).tolist())
                pending.clear()
            return losses

        n_tokens: int = partial["tokens"] if partial else 0
        spent: float = partial["seconds"] if partial else 0.0
        started = saved = time.perf_counter()
        epoch = self.epochs_done + 1
        for k in range(len(losses), len(batches)):
            if self.max_steps_reached:
                self.log(f"max_steps={self.settings.max_steps} reached at step {k} of epoch {epoch}: "
                         f"this epoch ends here and training stops after it")
                break
            loss, tokens = self.step(batches[k])
            pending.append(loss)
            n_tokens += tokens
            self.global_step += 1
            self.progress.step(
                epoch, self.settings.epochs, k + 1, len(batches), self.global_step, lambda: _mean(read()), tokens
            )
            due = time.perf_counter() - saved >= self.checkpoint_seconds
            if self.checkpoint_dir is not None and k + 1 < len(batches) and due:
                seconds = spent + time.perf_counter() - started
                self.checkpoint({"rng": epoch_rng, "losses": list(read()), "tokens": n_tokens, "seconds": seconds})
                saved = time.perf_counter()
        read()
        seconds = spent + time.perf_counter() - started
        return {
            "epoch": epoch,
            "train_loss": rounded(_mean(losses)),
            "val_loss": None,
            "val_macro_f1": None,
            "val_macro_precision": None,
            "val_macro_recall": None,
            "learning_rate": rounded(self.scheduler.get_last_lr()[0], 10),
            "seconds": spent,  # completed by fit() with this run's time
            "tokens_per_second": round(n_tokens / seconds, 1) if seconds > 0 else None,
            "steps": self.global_step,
            "max_steps_reached": self.max_steps_reached,
        }

    def evaluate(self, row: dict[str, Any]) -> None:
        """Fill the row's validation loss and macro-F1 (no-op without validation sentences)."""
        if self.val_sentences:
            val_loss, scores, _ = validation_scores(self.tagger, self.val_sentences, self.settings.eval_batch_size)
            row["val_loss"] = rounded(val_loss)
            for name in ("f1", "precision", "recall"):
                row[f"val_macro_{name}"] = rounded(scores[name])

    def end_epoch(self, row: dict[str, Any]) -> bool:
        """Append the row to the history, log it, update early stopping; True when training should stop."""
        self.history.append(row)
        left = self.progress.left(self.global_step)
        self.log(
            f"epoch {row['epoch']}/{self.settings.epochs}: train_loss={row['train_loss']} val_loss={row['val_loss']} "
            f"val_macro_f1={row['val_macro_f1']} ({row['seconds']} s, {row['tokens_per_second']} tokens/s"
            + (f", about {duration(left)} left)" if left is not None and row["epoch"] < self.settings.epochs else ")")
            + (f"; max_steps={self.settings.max_steps} reached: training stops" if row["max_steps_reached"] else "")
        )
        return self.stopping.update(row, self.tagger)

    # -- checkpoints ---------------------------------------------------------------------------------
    def state_dict(self, partial_epoch: dict[str, Any] | None = None) -> dict[str, Any]:
        """Everything needed to continue: weights, optimiser, schedule, RNGs, history, early stopping."""
        return {
            "fingerprint": self.fingerprint,
            "model": self.tagger.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "rng": rng_states(),
            "batch_rng": self.rng.getstate(),
            "history": self.history,
            "stopping": self.stopping.state_dict(),
            "global_step": self.global_step,
            "partial_epoch": partial_epoch,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.tagger.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        if self.scaler is not None and state["scaler"] is not None:
            self.scaler.load_state_dict(state["scaler"])
        self.rng.setstate(state["batch_rng"])
        self.history = [dict(row) for row in state["history"]]
        self.stopping.load_state_dict(state["stopping"])
        self.global_step = state["global_step"]
        self.partial_epoch = state["partial_epoch"]
        restore_rng(state["rng"])
        self.progress = Progress(self.log, self.total_steps, self.global_step, every=self.progress_seconds)

    def checkpoint(self, partial_epoch: dict[str, Any] | None = None) -> None:
        """Save the training state (atomically) when a checkpoint folder is set."""
        if self.checkpoint_dir is not None:
            save_checkpoint(self.checkpoint_dir, self.state_dict(partial_epoch))

    def resume(self, state: dict[str, Any]) -> None:
        """Continue from a checkpoint written by this very run (same fingerprint)."""
        self.load_state_dict(state)
        step = len(self.partial_epoch["losses"]) if self.partial_epoch else 0
        self.log(f"resumed from checkpoint: {self.epochs_done} epoch(s) done, step {step} of epoch {self.epochs_done + 1}")

    def fit(self) -> None:
        """Train until the epochs are done or early stopping fires; leave the tagger on the kept epoch."""
        while self.epochs_done < self.settings.epochs and not self.stopping.stopped and not self.max_steps_reached:
            started = time.perf_counter()
            row = self.train_epoch()
            self.evaluate(row)
            row["seconds"] = round(row["seconds"] + time.perf_counter() - started, 3)
            stop = self.end_epoch(row)
            self.checkpoint()
            if stop:
                break
        if self.stopping.best_state is not None:
            self.tagger.load_state_dict(self.stopping.best_state)
        self.tagger.eval()
