"""Hyper-parameter selection on validation: best macro-F1, ties broken by the lower validation loss."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def selection_key(summary: Mapping[str, Any]) -> tuple[float, float]:
    """Sort key, larger is better: (macro-F1, -loss); missing or NaN scores rank last."""
    f1 = summary.get("best_val_macro_f1")
    loss = summary.get("best_val_loss")
    f1 = -math.inf if f1 is None or math.isnan(f1) else float(f1)
    loss = math.inf if loss is None or math.isnan(loss) else float(loss)
    return f1, -loss


def select_candidate(
    summaries: Mapping[str, Mapping[str, Any]], settings: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The selected candidate (first in order among exact ties), its settings, best epoch and the ranking."""
    if not summaries:
        raise ValueError("no candidates to select from")
    ranking = sorted(summaries, key=lambda c: selection_key(summaries[c]), reverse=True)
    best = ranking[0]
    return {
        "candidate": best,
        "settings": dict(settings[best]),
        "best_epoch": int(summaries[best]["best_epoch"]),
        "val_macro_f1": summaries[best]["best_val_macro_f1"],
        "val_loss": summaries[best]["best_val_loss"],
        "ranking": [
            {
                "candidate": c,
                "val_macro_f1": summaries[c].get("best_val_macro_f1"),
                "val_loss": summaries[c].get("best_val_loss"),
                "best_epoch": summaries[c].get("best_epoch"),
                "settings": dict(settings[c]),
            }
            for c in ranking
        ],
    }
