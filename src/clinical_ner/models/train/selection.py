"""Hyper-parameter selection on validation, from each candidate's kept epoch.

``rank_by="macro_f1"`` (default): best macro-F1, ties broken by the lower validation loss.
``rank_by="mean_macro_prf"`` (the study): best mean of macro precision, recall and F1, same tie-break.
Pinned settings (`pinned_selection`) skip the search: the model is trained once, as given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

RANKINGS = ("macro_f1", "mean_macro_prf")
PINNED = "pinned"  # the `candidate` of pinned settings (training.pinned): given, not searched


def _number(value: Any, missing: float) -> float:
    return missing if value is None or math.isnan(value) else float(value)


def selection_key(summary: Mapping[str, Any], rank_by: str = "macro_f1") -> tuple[float, float]:
    """Sort key, larger is better: (score, -loss); missing or NaN scores rank last."""
    if rank_by not in RANKINGS:
        raise ValueError(f"unknown ranking {rank_by!r}; expected one of {', '.join(RANKINGS)}")
    names = ("f1",) if rank_by == "macro_f1" else ("precision", "recall", "f1")
    values = [_number(summary.get(f"best_val_macro_{name}"), -math.inf) for name in names]
    return sum(values) / len(values), -_number(summary.get("best_val_loss"), math.inf)


def select_candidate(
    summaries: Mapping[str, Mapping[str, Any]], settings: Mapping[str, Mapping[str, Any]], rank_by: str = "macro_f1"
) -> dict[str, Any]:
    """The selected candidate (first in order among exact ties), its settings, best epoch and the ranking."""
    if not summaries:
        raise ValueError("no candidates to select from")
    ranking = sorted(summaries, key=lambda c: selection_key(summaries[c], rank_by), reverse=True)
    best = ranking[0]
    return {
        "candidate": best,
        "rank_by": rank_by,
        "settings": dict(settings[best]),
        "best_epoch": int(summaries[best]["best_epoch"]),
        "val_macro_f1": summaries[best]["best_val_macro_f1"],
        "val_loss": summaries[best]["best_val_loss"],
        "ranking": [
            {
                "candidate": c,
                "score": selection_key(summaries[c], rank_by)[0],
                "val_macro_f1": summaries[c].get("best_val_macro_f1"),
                "val_macro_precision": summaries[c].get("best_val_macro_precision"),
                "val_macro_recall": summaries[c].get("best_val_macro_recall"),
                "val_loss": summaries[c].get("best_val_loss"),
                "best_epoch": summaries[c].get("best_epoch"),
                "settings": dict(settings[c]),
            }
            for c in ranking
        ],
    }


def pinned_selection(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The `select_candidate` record of pinned settings: no candidates, epochs as given."""
    return {
        "candidate": PINNED, "rank_by": PINNED, "settings": dict(settings), "best_epoch": int(settings["epochs"]),
        "val_macro_f1": None, "val_loss": None, "ranking": [],
    }
