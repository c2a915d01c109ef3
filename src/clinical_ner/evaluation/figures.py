"""Figures: classification-report heatmaps, confusion matrices, training curves, regime comparison.

Every figure is drawn on a stand-alone ``Figure`` with the Agg canvas (no pyplot global state, no
display needed), laid out tightly and saved as PNG (150 dpi) and PDF: each function takes a stem
(``{stem}.png``, ``{stem}.pdf``) or the two files themselves, and returns ``[png_path, pdf_path]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from clinical_ner.evaluation.metrics import AVERAGE_ROWS, row_normalise
from clinical_ner.paths import Target, output_paths

DPI = 150
REGIME_ORDER: tuple[str, ...] = ("full", "downsampled")


def _new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, target: Target) -> list[Path]:
    paths = output_paths(target, (".png", ".pdf"))
    figure.tight_layout()
    figure.savefig(paths[".png"], dpi=DPI)
    figure.savefig(paths[".pdf"])
    return list(paths.values())


def _annotate(ax, values: np.ndarray, texts: list[list[str]], vmax: float, fontsize: float) -> None:
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if not texts[i][j]:
                continue
            dark = vmax > 0 and values[i, j] / vmax > 0.6
            ax.text(j, i, texts[i][j], ha="center", va="center", fontsize=fontsize,
                    color="white" if dark else "black")


def _report_layout(frame: pd.DataFrame) -> tuple[list[str], np.ndarray, list[str]]:
    columns = [c for c in ("precision", "recall", "f1") if c in frame.columns]
    if not columns or frame.empty:
        raise ValueError("a classification report needs rows and precision/recall/f1 columns")
    if "support" in frame.columns:
        rows = [f"{label} (n={int(n)})" for label, n in zip(frame.index, frame["support"])]
    else:
        rows = [str(label) for label in frame.index]
    return columns, frame[columns].to_numpy(dtype=float), rows


def _draw_report(figure: Figure, ax, frame: pd.DataFrame, title: str) -> None:
    columns, values, rows = _report_layout(frame)
    image = ax.imshow(values, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(columns)), [c.capitalize() if c != "f1" else "F1" for c in columns])
    ax.set_yticks(range(len(rows)), rows)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    _annotate(ax, values, [[f"{v:.3f}" for v in row] for row in values], 1.0, 8)
    n_labels = sum(1 for label in frame.index if label not in AVERAGE_ROWS)
    if 0 < n_labels < len(rows):
        ax.axhline(n_labels - 0.5, color="black", linewidth=1.5)  # labels above, averages below
    ax.set_title(title)
    figure.colorbar(image, ax=ax, fraction=0.08, pad=0.03)


def _report_size(frame: pd.DataFrame) -> tuple[float, float]:
    columns, _, rows = _report_layout(frame)
    return 2.2 + 1.3 * len(columns) + 0.06 * max(len(r) for r in rows), 1.4 + 0.32 * len(rows)


def plot_classification_report(frame: pd.DataFrame, stem: Target, title: str) -> list[Path]:
    """Heatmap of precision/recall/F1 per row of a ``metrics.classification_report_frame`` (annotated)."""
    figure = _new_figure(*_report_size(frame))
    _draw_report(figure, figure.add_subplot(), frame, title)
    return _save(figure, stem)


def _draw_confusion(figure: Figure, ax, frame: pd.DataFrame, title: str, normalise: bool) -> None:
    if frame.empty:
        raise ValueError("empty confusion matrix")
    shown = row_normalise(frame) if normalise else frame
    values = shown.to_numpy(dtype=float)
    if normalise:
        texts = [[f"{v:.2f}" if v > 0 else "" for v in row] for row in values]
        vmax = 1.0
    else:
        texts = [[f"{int(v)}" if v > 0 else "" for v in row] for row in values]
        vmax = float(values.max()) if values.size else 1.0
    n_rows, n_cols = values.shape
    image = ax.imshow(values, cmap="Blues", vmin=0.0, vmax=vmax or 1.0)
    ax.set_xticks(range(n_cols), [str(c) for c in shown.columns], rotation=60, ha="right")
    ax.set_yticks(range(n_rows), [str(r) for r in shown.index])
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("Gold label")
    _annotate(ax, values, texts, vmax, 7 if max(n_rows, n_cols) > 12 else 9)
    ax.set_title(title + (" (row-normalised)" if normalise else ""))
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)


def plot_confusion(frame: pd.DataFrame, stem: Target, title: str, normalise: bool = True) -> list[Path]:
    """Confusion-matrix heatmap (gold rows, predicted columns); `normalise` divides each row by its sum."""
    size = 2.5 + 0.45 * max(frame.shape) if not frame.empty else 3.0
    figure = _new_figure(size + 1.0, size)
    _draw_confusion(figure, figure.add_subplot(), frame, title, normalise)
    return _save(figure, stem)


def plot_panels(
    panels: Mapping[str, pd.DataFrame], stem: Target, title: str, kind: str = "report", normalise: bool = False
) -> list[Path]:
    """The study's side-by-side layout (its Figs. 4-7): one classification-report heatmap (``kind="report"``)
    or confusion matrix (``kind="confusion"``, counts unless `normalise`) per model, left to right, each
    titled with its key."""
    if not panels:
        raise ValueError("no panels to plot")
    if kind not in ("report", "confusion"):
        raise ValueError(f"unknown panel kind {kind!r}; expected report or confusion")
    frames = list(panels.values())
    if kind == "report":
        width, height = max(_report_size(f)[0] for f in frames), max(_report_size(f)[1] for f in frames)
    else:
        height = 2.5 + 0.45 * max(max(f.shape) for f in frames)
        width = height + 1.0
    figure = _new_figure(width * len(frames), height + 0.4)
    axes = figure.subplots(1, len(frames), squeeze=False)[0]
    for ax, (name, frame) in zip(axes, panels.items()):
        if kind == "report":
            _draw_report(figure, ax, frame, name)
        else:
            _draw_confusion(figure, ax, frame, name, normalise)
    figure.suptitle(title)
    return _save(figure, stem)


def plot_training_curves(histories: Mapping[str, pd.DataFrame], stem: Target, title: str = "Training") -> list[Path]:
    """Loss (train solid, validation dashed) and validation macro-F1 per epoch, one colour per run."""
    if not histories:
        raise ValueError("no training histories to plot")
    figure = _new_figure(11, 4.2)
    loss_ax, f1_ax = figure.subplots(1, 2)
    colours = [f"C{i % 10}" for i in range(len(histories))]
    for colour, (name, history) in zip(colours, histories.items()):
        if "epoch" not in history.columns:
            raise ValueError(f"history {name!r} has no 'epoch' column")
        history = history.apply(pd.to_numeric, errors="coerce")  # None (no validation) -> NaN gaps
        epochs = history["epoch"]
        series = [
            (loss_ax, "train_loss", {"marker": "o"}, f"{name} train"),
            (loss_ax, "val_loss", {"ls": "--", "marker": "s"}, f"{name} val"),
            (f1_ax, "val_macro_f1", {"marker": "o"}, name),
        ]
        for ax, column, style, label in series:
            if column in history.columns and history[column].notna().any():
                ax.plot(epochs, history[column], color=colour, ms=3, label=label, **style)
    loss_ax.set(xlabel="Epoch", ylabel="Loss", title="Loss (train solid, validation dashed)")
    f1_ax.set(xlabel="Epoch", ylabel="Validation macro-F1", title="Validation macro-F1")
    figure.suptitle(title)
    for ax in (loss_ax, f1_ax):
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    return _save(figure, stem)


def plot_regime_comparison(
    df: pd.DataFrame, stem: Target, title: str = "Full vs down-sampled training", metric: str = "f1"
) -> list[Path]:
    """Grouped bars: one group per model, one bar per regime (full, downsampled, then any other)."""
    missing = {"model", "regime", metric} - set(df.columns)
    if missing:
        raise ValueError(f"regime comparison needs columns {sorted(missing)}")
    if df.empty:
        raise ValueError("nothing to plot")
    models = list(dict.fromkeys(df["model"]))
    present = list(dict.fromkeys(df["regime"]))
    regimes = [r for r in REGIME_ORDER if r in present] + [r for r in present if r not in REGIME_ORDER]
    table = df.pivot_table(index="model", columns="regime", values=metric, aggfunc="last").reindex(models)
    width = 0.8 / len(regimes)
    figure = _new_figure(max(5.0, 1.4 * len(models) + 2.5), 4.5)
    ax = figure.add_subplot()
    x = np.arange(len(models))
    for k, regime in enumerate(regimes):
        heights = table[regime].to_numpy(dtype=float) if regime in table.columns else np.full(len(models), np.nan)
        bars = ax.bar(x + (k - (len(regimes) - 1) / 2) * width, np.nan_to_num(heights), width,
                      label=regime, color=f"C{k}")
        for bar, height in zip(bars, heights):
            if not np.isnan(height):
                ax.annotate(f"{height:.3f}", (bar.get_x() + bar.get_width() / 2, height), ha="center",
                            va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(x, models, rotation=20 if len(models) > 4 else 0, ha="right" if len(models) > 4 else "center")
    top = float(np.nanmax(table.to_numpy(dtype=float))) if table.size else 1.0
    ax.set_ylim(0, 1.08 if top <= 1.0 else top * 1.1)
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(title)
    ax.legend(title="Regime")
    ax.grid(axis="y", alpha=0.3)
    return _save(figure, stem)
