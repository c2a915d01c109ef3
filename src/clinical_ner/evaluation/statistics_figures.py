"""Figures beyond the study: forest plot of scores with bootstrap intervals, learning curves."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from clinical_ner.evaluation.figures import _new_figure, _save
from clinical_ner.evaluation.statistics import HEADLINE_NAMES


def plot_forest(
    stats: pd.DataFrame, stem: str | Path, metrics: Sequence[str] = ("bio_macro_f1", "span_strict_f1"),
    title: str = "Test scores with 95% bootstrap intervals",
) -> list[Path]:
    """One panel per metric: each model's estimate (dot) and interval (bar), top to bottom in table order.

    Models whose difference to the reference is not significant are drawn hollow; the reference is a
    diamond with a dotted vertical line through its estimate.
    """
    missing = {"model", "metric", "estimate", "low", "high", "p_value"} - set(stats.columns)
    if missing:
        raise ValueError(f"forest plot needs columns {sorted(missing)}")
    metrics = [m for m in metrics if m in set(stats["metric"])]
    if not metrics:
        raise ValueError("none of the requested metrics is in the statistics")
    models = list(dict.fromkeys(stats["model"]))
    figure = _new_figure(4.2 * len(metrics) + 1.5, 1.2 + 0.38 * len(models))
    axes = np.atleast_1d(figure.subplots(1, len(metrics), sharey=True))
    for ax, metric in zip(axes, metrics):
        chosen = stats[stats["metric"] == metric].set_index("model").reindex(models)
        y = np.arange(len(models))[::-1]
        for yi, (_, row) in zip(y, chosen.iterrows()):
            if pd.isna(row["estimate"]):
                continue
            reference = pd.isna(row["p_value"])
            significant = reference or bool(row["p_value"] < 0.05)
            ax.plot([row["low"], row["high"]], [yi, yi], color="C0", lw=2)
            ax.plot(row["estimate"], yi, marker="D" if reference else "o", ms=7, color="C0",
                    markerfacecolor="C0" if significant else "white")
            if reference:
                ax.axvline(row["estimate"], color="grey", ls=":", lw=1)
        ax.set_yticks(y, models)
        ax.set_xlabel(HEADLINE_NAMES.get(metric, metric))
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_title("hollow: not significantly different from the reference (diamond), p >= 0.05",
                      fontsize=8, loc="left")
    figure.suptitle(title)
    return _save(figure, stem)


def plot_learning_curves(
    curves: pd.DataFrame, stem: str | Path, x: str = "train_sentences",
    metrics: Sequence[str] = ("bio_macro_f1", "span_strict_f1"), title: str = "Learning curves",
) -> list[Path]:
    """Score against training-set size, one line per model (mean over seeds, bars: +- one sd)."""
    missing = {"model", x} - set(curves.columns)
    if missing:
        raise ValueError(f"learning curves need columns {sorted(missing)}")
    metrics = [m for m in metrics if m in curves.columns]
    if not metrics or curves.empty:
        raise ValueError("nothing to plot")
    figure = _new_figure(5.2 * len(metrics) + 1.5, 4.4)
    axes = np.atleast_1d(figure.subplots(1, len(metrics)))
    for ax, metric in zip(axes, metrics):
        for k, (model, part) in enumerate(curves.groupby("model", sort=False)):
            part = part.sort_values(x)
            sd = part[f"{metric}_sd"] if f"{metric}_sd" in part.columns else None
            ax.errorbar(part[x], part[metric], yerr=sd, marker="o", ms=4, capsize=3, color=f"C{k % 10}",
                        label=model)
        ax.set_xlabel(x.replace("_", " "))
        ax.set_ylabel(HEADLINE_NAMES.get(metric, metric))
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=7, loc="lower right")
    figure.suptitle(title)
    return _save(figure, stem)
