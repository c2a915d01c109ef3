"""Calibration of the predicted confidences on the test set: reliability tables, expected calibration error
(ECE) and the reliability diagram.

Two levels, from the prediction rows (``pred``, ``confidence`` per token, gold ``tags``):

* ``token``: each token's probability of its predicted tag, correct when the tag equals the gold tag;
* ``entity``: each predicted entity's confidence (min over its tokens, see `models.predict`), correct
  when the gold tags hold the same entity (same type, same first and last token).

Confidences are put in `bins` equal-width bins over [0, 1]; per bin: count, mean confidence, accuracy.
ECE = sum over bins of (count / total) * |accuracy - mean confidence|.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clinical_ner.data.bio import tag_chunks
from clinical_ner.evaluation.figures import _new_figure, _save
from clinical_ner.paths import Target

LEVELS: tuple[str, ...] = ("token", "entity")
PLURAL = {"token": "tokens", "entity": "entities"}
COLUMNS: tuple[str, ...] = ("level", "bin_low", "bin_high", "count", "confidence", "accuracy")


def confidence_outcomes(rows: Iterable[Mapping[str, Any]]) -> dict[str, tuple[list[float], list[bool]]]:
    """``{level: (confidences, correct)}`` of every token and every predicted entity."""
    out: dict[str, tuple[list[float], list[bool]]] = {level: ([], []) for level in LEVELS}
    for number, row in enumerate(rows, start=1):
        if "confidence" not in row:
            raise ValueError(f"prediction row {number} has no 'confidence' (predicted by an older version?)")
        confidence, pred, gold = row["confidence"], row["pred"], row["tags"]
        out["token"][0].extend(float(c) for c in confidence)
        out["token"][1].extend(p == g for p, g in zip(pred, gold))
        gold_chunks = set(tag_chunks(gold))
        for label, first, last in tag_chunks(pred):
            out["entity"][0].append(float(min(confidence[first: last + 1])))
            out["entity"][1].append((label, first, last) in gold_chunks)
    return out


def reliability(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> pd.DataFrame:
    """One row per non-empty bin: ``bin_low, bin_high, count, confidence`` (mean), ``accuracy``."""
    values = np.asarray(confidences, dtype=float)
    hits = np.asarray(correct, dtype=float)
    index = np.minimum((values * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        chosen = index == b
        if chosen.any():
            rows.append({"bin_low": b / bins, "bin_high": (b + 1) / bins, "count": int(chosen.sum()),
                         "confidence": float(values[chosen].mean()), "accuracy": float(hits[chosen].mean())})
    return pd.DataFrame(rows, columns=list(COLUMNS[1:]))


def expected_calibration_error(table: pd.DataFrame) -> float:
    total = table["count"].sum()
    if not total:
        return 0.0
    return float((table["count"] / total * (table["accuracy"] - table["confidence"]).abs()).sum())


def calibration_table(rows: Iterable[Mapping[str, Any]], bins: int = 10) -> pd.DataFrame:
    """The reliability tables of both levels, stacked with a leading ``level`` column."""
    parts = []
    for level, (confidences, correct) in confidence_outcomes(rows).items():
        parts.append(reliability(confidences, correct, bins).assign(level=level))
    return pd.concat(parts, ignore_index=True)[list(COLUMNS)]


def plot_reliability(table: pd.DataFrame, stem: Target, title: str) -> list[Path]:
    """Reliability diagram, one panel per level: accuracy per confidence bin against the diagonal, bar
    width = bin, with each bin's count and the ECE."""
    figure = _new_figure(9.0, 4.2)
    for k, level in enumerate(LEVELS):
        ax = figure.add_subplot(1, len(LEVELS), k + 1)
        part = table[table["level"] == level]
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect calibration")
        if not part.empty:
            width = float((part["bin_high"] - part["bin_low"]).iloc[0])
            ax.bar(part["bin_low"], part["accuracy"], width=width, align="edge", edgecolor="black",
                   color="tab:blue", alpha=0.75, label="accuracy")
            ax.plot(part["confidence"], part["accuracy"], "o", color="tab:orange", markersize=4,
                    label="bin: (mean confidence, accuracy)")
            for low, acc, n in zip(part["bin_low"], part["accuracy"], part["count"]):
                ax.text(low + width / 2, min(acc + 0.02, 0.97), str(int(n)), ha="center", fontsize=6)
        n = int(part["count"].sum()) if not part.empty else 0
        ax.set_title(f"{PLURAL[level]} (n={n}), ECE {expected_calibration_error(part):.3f}", fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence")
        ax.set_ylabel("accuracy" if level == "token" else "exact-match precision")
        ax.legend(fontsize=7, loc="upper left")
    figure.suptitle(title, fontsize=10)
    return _save(figure, stem)
