"""The error taxonomy of every model: a table (per model and type, mean over seeds) and a stacked-bar figure.

Input is a long frame ``model, seed, label`` and the :data:`error_taxonomy.COUNT_COLUMNS` (each run's
`count_outcomes`, its ``all types`` row included), as :func:`stack_runs` builds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from clinical_ner.evaluation.error_taxonomy import ALL_TYPES, COUNT_COLUMNS, GOLD, KIND_TITLES, PREDICTED
from clinical_ner.evaluation.figures import _new_figure, _save
from clinical_ner.paths import Target

# Table columns: a kind's title and the count columns shown in its cell ("FP / FN" for the two-sided kinds).
TABLE_CELLS: dict[str, tuple[str, ...]] = {
    "correct": ("correct",),
    "wrong type, same span (FP / FN)": ("wrong_type_fp", "wrong_type_fn"),
    "right type, wrong boundary (FP / FN)": ("wrong_boundary_fp", "wrong_boundary_fn"),
    "wrong type and boundary (FP / FN)": ("wrong_type_boundary_fp", "wrong_type_boundary_fn"),
    "spurious (FP)": ("spurious",),
    "missed (FN)": ("missed",),
    "duplicate (dropped / FN)": ("duplicate_dropped", "duplicate_fn"),
}
# The figure's bars: per side, the count column of each kind, in stacking order.
BAR_SEGMENTS: dict[str, dict[str, str]] = {
    PREDICTED: {"correct": "correct", "wrong_type": "wrong_type_fp", "wrong_boundary": "wrong_boundary_fp",
                "wrong_type_boundary": "wrong_type_boundary_fp", "spurious": "spurious",
                "duplicate": "duplicate_dropped"},
    GOLD: {"correct": "correct", "wrong_type": "wrong_type_fn", "wrong_boundary": "wrong_boundary_fn",
           "wrong_type_boundary": "wrong_type_boundary_fn", "missed": "missed", "duplicate": "duplicate_fn"},
}
KIND_COLOURS = {
    "correct": "#4daf4a", "wrong_type": "#ff7f00", "wrong_boundary": "#984ea3", "wrong_type_boundary": "#a65628",
    "spurious": "#e41a1c", "missed": "#377eb8", "duplicate": "#999999",
}


def stack_runs(runs: Iterable[tuple[str, int, pd.DataFrame]]) -> pd.DataFrame:
    """One long frame from ``(model name, seed, count frame)`` triples."""
    parts = [frame.assign(model=model, seed=seed) for model, seed, frame in runs]
    frame = pd.concat(parts, ignore_index=True)
    return frame[["model", "seed", "label", *COUNT_COLUMNS]]


def _mean(counts: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds per (model, label), models and labels in input order."""
    return counts.groupby(["model", "label"], sort=False)[list(COUNT_COLUMNS)].mean()


def taxonomy_table(counts: pd.DataFrame) -> pd.DataFrame:
    """``model, type`` and one column per :data:`TABLE_CELLS` (mean over seeds: whole numbers for one seed)."""
    means = _mean(counts)
    whole = counts.groupby(["model", "label"], sort=False)["seed"].nunique().eq(1).all()

    def number(value: float) -> str:
        return f"{value:.0f}" if whole else f"{value:.1f}"

    rows = []
    for (model, label), row in means.iterrows():
        cells = {title: " / ".join(number(row[c]) for c in columns) for title, columns in TABLE_CELLS.items()}
        rows.append({"model": model, "type": label, **cells})
    return pd.DataFrame(rows, columns=["model", "type", *TABLE_CELLS])


def plot_taxonomy(counts: pd.DataFrame, target: Target, title: str) -> list[Path]:
    """Per model two stacked horizontal bars, its predictions and the gold entities, split by kind (the
    ``all types`` rows, mean over seeds); PNG and PDF."""
    totals = _mean(counts).xs(ALL_TYPES, level="label")
    models = list(totals.index)
    figure = _new_figure(9, 1.6 + 0.75 * len(models))
    ax = figure.add_subplot()
    positions, labels = [], []
    drawn: set[str] = set()
    for m, model in enumerate(models):
        for s, side in enumerate((PREDICTED, GOLD)):
            y = m * 2.6 + s
            positions.append(y)
            labels.append(f"{model} · {side}")
            left = 0.0
            for kind, column in BAR_SEGMENTS[side].items():
                width = float(totals.loc[model, column])
                ax.barh(y, width, left=left, color=KIND_COLOURS[kind], edgecolor="white", linewidth=0.5,
                        label=None if kind in drawn else KIND_TITLES[kind])
                drawn.add(kind)
                left += width
    ax.set_yticks(positions, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("entities (mean over seeds)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / max(len(models), 1)), ncol=4,
              frameon=False)
    return _save(figure, target)
