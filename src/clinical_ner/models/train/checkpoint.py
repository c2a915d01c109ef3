"""Resumable training: one checkpoint file per job, written atomically, keyed by what the run depends on.

The file holds everything the trainer needs to continue as if never stopped: model, optimiser, scheduler
and grad-scaler states, the python/numpy/torch (and CUDA) RNG states, the history so far, the early-
stopping state and the position in the current epoch. It lives in a scratch folder that is NOT a workflow
output (Snakemake deletes outputs before re-running a job); `train()` removes it once the job's outputs
are written. A checkpoint whose fingerprint does not match the run (other data, settings, encoder or
labels) is ignored and replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from clinical_ner.data.records import Sentence

CHECKPOINT_FILE = "checkpoint.pt"


def fingerprint(
    spec: dict[str, Any],
    head: str,
    labels: Sequence[str],
    settings: dict[str, Any],
    train_sentences: Sequence[Sentence],
    val_sentences: Sequence[Sentence] | None,
) -> str:
    """SHA-256 of everything a run's result depends on (CPU threads excluded, so a retry may use more)."""
    digest = hashlib.sha256()
    fixed = {k: v for k, v in settings.items() if k != "threads"}
    digest.update(json.dumps([spec, head, list(labels), fixed], sort_keys=True).encode())
    for part in (train_sentences, val_sentences or []):
        digest.update(b"\x00part")
        for sentence in part:
            digest.update(json.dumps(sentence.to_dict(), sort_keys=True).encode())
    return digest.hexdigest()


def rng_states() -> dict[str, Any]:
    states: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_rng(states: dict[str, Any]) -> None:
    random.setstate(states["python"])
    np.random.set_state(states["numpy"])
    torch.set_rng_state(states["torch"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def checkpoint_path(folder: str | Path) -> Path:
    return Path(folder) / CHECKPOINT_FILE


def save_checkpoint(folder: str | Path, state: dict[str, Any]) -> Path:
    """Write `state` to folder/checkpoint.pt atomically (temporary file, fsync, rename)."""
    path = checkpoint_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "wb") as handle:
        torch.save(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return path


def load_checkpoint(folder: str | Path, expected_fingerprint: str) -> dict[str, Any] | None:
    """The saved state when a checkpoint of this very run exists, else None."""
    path = checkpoint_path(folder)
    if not path.is_file():
        return None
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state.get("fingerprint") != expected_fingerprint:
        return None
    return state


def remove_checkpoint(folder: str | Path) -> None:
    """Delete the checkpoint (and its folder when nothing else is left in it)."""
    folder = Path(folder)
    for name in (CHECKPOINT_FILE, f".{CHECKPOINT_FILE}.partial"):
        (folder / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # other files left in it
        folder.rmdir()
