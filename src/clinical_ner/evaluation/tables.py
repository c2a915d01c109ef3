"""The study's tables (I-IV), the full-vs-down-sampled and span-level comparisons, and their writers.

Inputs are plain: a ``results`` frame in long form with columns
``model, regime, view, average, precision, recall, f1`` (``view`` is ``bio_strict`` or ``token_level``,
``average`` is ``macro``/``micro``/``weighted``), an ``ablations`` frame
``model, regime, ablation, average, precision, recall, f1`` and ``spans`` frames (one-to-one or n2c2-2018
semantics, same layout) ``model, regime, mode, label, precision, recall, f1, tp, fp, fn``. :func:`load_results` and
:func:`load_frames` read them from ``results/eval/{model}/{regime}/``; :func:`results_from_frames` builds
them from in-memory ``evaluation.evaluate_rows`` outputs.

:func:`write_table` writes ``stem.csv`` (raw numbers) (or three files given by the caller), ``stem.md`` (pipe table, caption line
``Table: ...`` below, best value per chosen column in ``**bold**``) and ``stem.tex`` (a ``table`` float
with ``\\caption``, ``\\label{tab:<stem name>}`` and a ``tabular``; best value in ``\\textbf{}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from clinical_ner.evaluation.ablations import ablation_views
from clinical_ner.evaluation.run_files import REPORT_KEYS, SUMMARY_FILE, summarise
from clinical_ner.evaluation.seeds import leading_number
from clinical_ner.labels import ENTITY_TYPES
from clinical_ner.paths import Target, output_paths

RESULT_COLUMNS: tuple[str, ...] = ("model", "regime", "view", "average", "precision", "recall", "f1")
METRICS: tuple[str, ...] = ("precision", "recall", "f1")
REGIMES: tuple[str, ...] = ("full", "downsampled")


# ----------------------------------------------------------------------------------------------- loading


def _summary_rows(model: str, regime: str, summary: Mapping) -> list[dict]:
    rows = []
    for view in REPORT_KEYS:
        for average, scores in summary.get(view, {}).items():
            rows.append({"model": model, "regime": regime, "view": view, "average": average,
                         **{m: float(scores[m]) for m in METRICS}})
    return rows


def load_results(eval_root: str | Path) -> pd.DataFrame:
    """Long-form results from every ``{eval_root}/{model}/{regime}/summary.json`` (sorted by model, regime)."""
    rows = []
    for path in sorted(Path(eval_root).glob(f"*/*/{SUMMARY_FILE}")):
        summary = json.loads(path.read_text(encoding="utf-8"))
        rows += _summary_rows(path.parent.parent.name, path.parent.name, summary)
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def load_frames(eval_root: str | Path, name: str) -> pd.DataFrame:
    """Concatenate every ``{eval_root}/{model}/{regime}/{name}.csv`` with leading ``model``, ``regime`` columns."""
    parts = []
    for path in sorted(Path(eval_root).glob(f"*/*/{name}.csv")):
        frame = pd.read_csv(path, keep_default_na=False)
        frame.insert(0, "regime", path.parent.name)
        frame.insert(0, "model", path.parent.parent.name)
        parts.append(frame)
    if not parts:
        return pd.DataFrame(columns=["model", "regime"])
    return pd.concat(parts, ignore_index=True)


def results_from_frames(evaluations: Mapping[tuple[str, str], Mapping[str, pd.DataFrame]]) -> pd.DataFrame:
    """Long-form results from ``{(model, regime): evaluate_rows(...)}``."""
    rows = []
    for (model, regime), frames in evaluations.items():
        rows += _summary_rows(model, regime, summarise(frames))
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def stack_frames(evaluations: Mapping[tuple[str, str], Mapping[str, pd.DataFrame]], key: str) -> pd.DataFrame:
    """One frame (e.g. ``ablations`` or ``spans``) of every (model, regime), with ``model``/``regime`` columns."""
    parts = []
    for (model, regime), frames in evaluations.items():
        if key in frames:
            frame = frames[key].reset_index(drop=isinstance(frames[key].index, pd.RangeIndex))
            frame.insert(0, "regime", regime)
            frame.insert(0, "model", model)
            parts.append(frame)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["model", "regime"])


# ------------------------------------------------------------------------------------------------ tables


def _ordered(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _cut_percent(difference: int, base: int) -> float:
    """100 * difference / base cut toward zero to 2 decimals, in exact integer arithmetic."""
    hundredths = abs(difference) * 10_000 // base
    return (hundredths if difference >= 0 else -hundredths) / 100.0


def parameter_table(
    counts: Mapping[tuple[str, str], int], names: Mapping[tuple[str, str], str], reference: str,
    head_order: Sequence[str] = ("crf", "apt"),
) -> pd.DataFrame:
    """Table I: ``model, parameters, change_percent``, one row per ``(encoder, head)`` of `counts`,
    grouped by head in `head_order` (the study lists the CRF models first), encoders in input order.
    ``change_percent`` = 100 * (count / count of the `reference` encoder with the same head - 1), cut (not
    rounded) to 2 decimals as the study prints it (65,205,922 vs 108,325,282: -39.80%)."""
    heads = [h for h in head_order if any(head == h for _, head in counts)]
    heads += _ordered(head for _, head in counts if head not in heads)
    rows = []
    for head in heads:
        if (reference, head) not in counts:
            raise ValueError(f"reference encoder {reference!r} has no {head} model among {list(counts)}")
        base = counts[(reference, head)]
        if base <= 0:
            raise ValueError(f"reference model {reference}-{head} has {base} parameters")
        for (encoder, model_head), n in counts.items():
            if model_head == head:
                rows.append({"model": names[(encoder, head)], "parameters": int(n),
                             "change_percent": _cut_percent(int(n) - base, base)})
    return pd.DataFrame(rows, columns=["model", "parameters", "change_percent"])


def average_table(
    results: pd.DataFrame, view: str = "bio_strict", average: str = "macro", regime: str = "full"
) -> pd.DataFrame:
    """One row per model (``model`` column) with precision, recall, f1 of the chosen view/average/regime."""
    chosen = results[(results["view"] == view) & (results["average"] == average) & (results["regime"] == regime)]
    if chosen.empty:
        raise ValueError(f"no results for view={view!r}, average={average!r}, regime={regime!r}")
    table = chosen.drop_duplicates("model", keep="last").set_index("model")[list(METRICS)]
    return table.loc[_ordered(chosen["model"])].reset_index()


def macro_table(results: pd.DataFrame, regime: str = "full") -> pd.DataFrame:
    """Table II: macro-averaged BIO-strict P/R/F1 per model."""
    return average_table(results, "bio_strict", "macro", regime)


def weighted_table(results: pd.DataFrame, regime: str = "full") -> pd.DataFrame:
    """Table III: weighted-averaged BIO-strict P/R/F1 per model."""
    return average_table(results, "bio_strict", "weighted", regime)


def ablation_table(
    ablations: pd.DataFrame, regime: str = "full", metrics: Sequence[str] = ("f1",)
) -> pd.DataFrame:
    """Table IV: rows ``model, ablation`` (view order of ``ablations.ablation_views``), columns
    ``{average}_{metric}`` for macro/micro/weighted and each requested metric."""
    chosen = ablations[ablations["regime"] == regime]
    if chosen.empty:
        raise ValueError(f"no ablation results for regime={regime!r}")
    wide = chosen.pivot_table(index=["model", "ablation"], columns="average", values=list(metrics), aggfunc="last")
    columns = [(m, a) for a in ("macro", "micro", "weighted") for m in metrics if (m, a) in wide.columns]
    wide = wide[columns]
    wide.columns = [f"{a}_{m}" for m, a in columns]
    known = [v.name for v in ablation_views(ENTITY_TYPES)]  # the study's views, in its order; others after
    ablation_order = known + sorted(set(chosen["ablation"]) - set(known))
    order = [(m, a) for m in _ordered(chosen["model"]) for a in ablation_order if (m, a) in wide.index]
    return wide.loc[order].reset_index()


def regime_table(
    results: pd.DataFrame, view: str = "bio_strict", average: str = "macro", metric: str = "f1"
) -> pd.DataFrame:
    """Full vs down-sampled: ``model, full, downsampled, difference`` (downsampled - full) of one score."""
    chosen = results[(results["view"] == view) & (results["average"] == average)]
    if chosen.empty:
        raise ValueError(f"no results for view={view!r}, average={average!r}")
    wide = chosen.pivot_table(index="model", columns="regime", values=metric, aggfunc="last")
    for regime in REGIMES:
        if regime not in wide.columns:
            wide[regime] = np.nan
    wide = wide.loc[_ordered(chosen["model"]), list(REGIMES)]
    wide["difference"] = wide["downsampled"] - wide["full"]
    wide.columns.name = None
    return wide.reset_index()


def span_table(spans: pd.DataFrame, regime: str = "full", per_type: bool = False) -> pd.DataFrame:
    """Span-level F1: ``model, strict_f1, lenient_f1`` (micro avg); with `per_type`,
    ``model, label, strict_f1, lenient_f1`` for each entity type, in the order of the frames (the label map's)."""
    chosen = spans[spans["regime"] == regime]
    if chosen.empty:
        raise ValueError(f"no span results for regime={regime!r}")
    averages = {"micro avg", "macro avg"}
    if per_type:
        chosen = chosen[~chosen["label"].isin(averages)]
        index = ["model", "label"]
    else:
        chosen = chosen[chosen["label"] == "micro avg"]
        index = ["model"]
    wide = chosen.pivot_table(index=index, columns="mode", values="f1", aggfunc="last")
    wide = wide[[m for m in ("strict", "lenient") if m in wide.columns]]
    wide.columns = [f"{m}_f1" for m in wide.columns]
    models = _ordered(chosen["model"])
    if per_type:
        order = [(m, label) for m in models for label in _ordered(chosen["label"]) if (m, label) in wide.index]
    else:
        order = models
    return wide.loc[order].reset_index()


def span_prf_table(spans: pd.DataFrame, regime: str = "full") -> pd.DataFrame:
    """Headline span table: ``model``, then strict and lenient micro P/R/F1 (``strict_precision``, ...), then
    ``strict_macro_f1`` and ``lenient_macro_f1``."""
    chosen = spans[spans["regime"] == regime]
    if chosen.empty:
        raise ValueError(f"no span results for regime={regime!r}")
    rows = []
    for model in _ordered(chosen["model"]):
        row: dict[str, object] = {"model": model}
        for average, metrics in (("micro avg", METRICS), ("macro avg", ("f1",))):
            for mode in ("strict", "lenient"):
                hit = chosen[(chosen["model"] == model) & (chosen["mode"] == mode) & (chosen["label"] == average)]
                for metric in metrics:
                    name = f"{mode}_{metric}" if average == "micro avg" else f"{mode}_macro_{metric}"
                    row[name] = float(hit[metric].iloc[-1]) if not hit.empty else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------- writing

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def _format(value: object, digits: int, fmt: str | None) -> str:
    if fmt is not None:
        return fmt.format(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "--"
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{digits}f}"
    return str(value)


def best_mask(df: pd.DataFrame, best_columns: Sequence[str], higher_is_better: bool = True) -> pd.DataFrame:
    """Boolean frame: True where a cell holds its column's best value (ties all marked; NaN never)."""
    mask = pd.DataFrame(False, index=df.index, columns=df.columns)
    for column in best_columns:
        if column not in df.columns:
            raise ValueError(f"best column {column!r} not in table columns {list(df.columns)}")
        values = leading_number(df[column])
        if values.notna().any():
            best = values.max() if higher_is_better else values.min()
            mask[column] = np.isclose(values, best, rtol=0, atol=1e-12) & values.notna()
    return mask


def write_table(
    df: pd.DataFrame,
    stem: Target,
    caption: str,
    best_columns: Sequence[str] = (),
    higher_is_better: bool = True,
    digits: int = 4,
    formats: Mapping[str, str] | None = None,
    csv_frame: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``stem.csv``, ``stem.md`` and ``stem.tex`` (or the three files given); mark the best value of
    each of `best_columns`.

    A non-default index is written as leading columns. `formats` maps a column to a ``str.format`` pattern
    (e.g. ``{"percent_of_reference": "{:.1f}"}``); otherwise ints get thousands separators and floats
    `digits` decimals. `csv_frame`, when given, is written to the CSV instead (e.g. every seed's rows behind
    a mean +- sd table). Returns the three paths.
    """
    paths = output_paths(stem, (".csv", ".md", ".tex"))
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()
    df = df.reset_index(drop=True)
    formats = dict(formats or {})
    mask = best_mask(df, best_columns, higher_is_better)
    columns = [str(c) for c in df.columns]
    cells = [[_format(v, digits, formats.get(c)) for c, v in zip(df.columns, row)] for row in df.itertuples(index=False)]
    numeric = [pd.api.types.is_numeric_dtype(df[c]) or bool(leading_number(df[c]).notna().all()) for c in df.columns]

    csv_path = paths[".csv"]
    (df if csv_frame is None else csv_frame).to_csv(csv_path, index=False)

    md_lines = ["| " + " | ".join(c.replace("|", "\\|") for c in columns) + " |",
                "|" + "|".join("---:" if n else ":---" for n in numeric) + "|"]
    for i, row in enumerate(cells):
        out = []
        for j, cell in enumerate(row):
            cell = cell.replace("|", "\\|")
            out.append(f"**{cell}**" if mask.iat[i, j] else cell)
        md_lines.append("| " + " | ".join(out) + " |")
    md_lines += ["", f"Table: {caption}", ""]
    md_path = paths[".md"]
    md_path.write_text("\n".join(md_lines), encoding="utf-8")

    spec = "".join("r" if n else "l" for n in numeric)
    tex_lines = [
        r"\begin{table}[ht]",
        r"\centering",
        rf"\caption{{{latex_escape(caption)}}}",
        rf"\label{{tab:{csv_path.stem}}}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\hline",
        " & ".join(latex_escape(c) for c in columns) + r" \\",
        r"\hline",
    ]
    for i, row in enumerate(cells):
        out = []
        for j, cell in enumerate(row):
            cell = latex_escape(cell)
            out.append(rf"\textbf{{{cell}}}" if mask.iat[i, j] else cell)
        tex_lines.append(" & ".join(out) + r" \\")
    tex_lines += [r"\hline", r"\end{tabular}", r"\end{table}", ""]
    tex_path = paths[".tex"]
    tex_path.write_text("\n".join(tex_lines), encoding="utf-8")
    return [csv_path, md_path, tex_path]
