"""Glue: prediction rows -> every metric frame, and the files under results/eval/{model}/{regime}/.

Files written by :func:`write_evaluation` (one CSV per frame; in a folder they are named after the key,
a workflow rule names each file itself, keyed as below):

* ``bio_strict.csv``, ``token_level.csv``: ``label,precision,recall,f1,support``; the labels, then
  ``micro avg``, ``macro avg``, ``weighted avg`` (see ``metrics``).
* ``confusion_bio.csv``, ``confusion_token.csv``: first column ``gold``, then one count column per
  predicted label (same order as the rows).
* ``ablations.csv``: ``ablation,average,precision,recall,f1`` (see ``ablations``).
* any extra frame in the dict (e.g. ``spans`` from ``spans.score_documents``) as ``{key}.csv``.
* ``summary.json``::

    {"n_sentences": int, "n_tokens": int,       # n_tokens: scored units (words or kept sub-words)
     "units": "word" | "subword", "protocol": str, # + "subwords_truncated", "sentences_truncated" for sub-words
     "bio_strict":  {"macro": {"precision": f, "recall": f, "f1": f}, "micro": {...}, "weighted": {...}},
     "token_level": {...same...},
     "spans": {"strict": {"precision", "recall", "f1"}, "lenient": {...}}}   # micro avg; only with spans
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from clinical_ner.data.jsonl import iter_jsonl
from clinical_ner.errors import InputError
from clinical_ner.evaluation.ablations import ablations
from clinical_ner.evaluation.metrics import AVERAGE_ROWS, Row, bio_strict, confusion_bio, confusion_token, token_level

FRAME_KEYS: tuple[str, ...] = ("bio_strict", "token_level", "confusion_bio", "confusion_token", "ablations")
REPORT_KEYS: tuple[str, ...] = ("bio_strict", "token_level")
SUMMARY_FILE = "summary.json"
REQUIRED_FIELDS: tuple[str, ...] = ("doc_id", "sent", "tokens", "tags", "pred")
SUBWORD_FIELDS: tuple[str, ...] = ("subwords", "subword_tags", "subword_pred", "subwords_truncated")


def read_prediction_rows(path: str | Path) -> list[dict[str, Any]]:
    """Prediction JSONL rows, each checked for its fields and matching lengths (InputError with the line)."""
    rows = []
    for number, row in enumerate(iter_jsonl(path), start=1):
        if not isinstance(row, dict):
            raise InputError(path, "a prediction row must be a JSON object", number)
        missing = [name for name in REQUIRED_FIELDS if name not in row]
        if missing:
            raise InputError(path, f"prediction row lacks {missing}", number)
        lengths = {name: len(row[name]) for name in ("tokens", "tags", "pred")}
        if len(set(lengths.values())) != 1:
            raise InputError(path, f"tokens, tags and pred differ in length: {lengths}", number)
        rows.append(row)
    return rows


def evaluate_rows(rows: Iterable[Row], types: Iterable[str]) -> dict[str, pd.DataFrame]:
    """All token metric frames of prediction rows, keyed as in ``FRAME_KEYS``."""
    rows = list(rows)
    types = tuple(types)
    return {
        "bio_strict": bio_strict(rows, types),
        "token_level": token_level(rows, types),
        "confusion_bio": confusion_bio(rows, types),
        "confusion_token": confusion_token(rows, types),
        "ablations": ablations(rows, types),
    }


def summarise(frames: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """The summary.json content: macro/micro/weighted P/R/F1 of the two reports (+ span micro if present)."""
    summary: dict[str, Any] = {}
    if "confusion_bio" in frames:
        summary["n_tokens"] = int(frames["confusion_bio"].to_numpy().sum())
    for key in REPORT_KEYS:
        if key not in frames:
            continue
        report = frames[key]
        summary[key] = {
            row_name.split()[0]: {name: float(report.loc[row_name, name]) for name in ("precision", "recall", "f1")}
            for row_name in AVERAGE_ROWS
        }
    if "spans" in frames:
        spans = frames["spans"]
        micro = spans[spans["label"] == "micro avg"].set_index("mode")
        summary["spans"] = {
            mode: {name: float(micro.loc[mode, name]) for name in ("precision", "recall", "f1")}
            for mode in micro.index
        }
    return summary


def evaluation_paths(out: str | Path | Mapping[str, str | Path], keys: Iterable[str]) -> dict[str, Path]:
    """Frame key (and ``summary``) -> file: ``{out}/{key}.csv`` and ``{out}/summary.json`` for a folder,
    else the mapping's own files (a workflow rule's named outputs), which must name every key."""
    keys = [*keys, "summary"]
    if isinstance(out, (str, Path)):
        return {key: Path(out) / (SUMMARY_FILE if key == "summary" else f"{key}.csv") for key in keys}
    missing = [key for key in keys if key not in out]
    if missing:
        raise ValueError(f"no output file for {missing}")
    return {key: Path(out[key]) for key in keys}


def write_evaluation(
    frames: Mapping[str, pd.DataFrame],
    out: str | Path | Mapping[str, str | Path],
    extra: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write every frame as CSV and the summary JSON (plus `extra` keys) to a folder or the files given
    (see :func:`evaluation_paths`); return the paths."""
    paths = evaluation_paths(out, frames)
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for key, frame in frames.items():
        path = paths[key]
        keep_index = not isinstance(frame.index, pd.RangeIndex)
        frame.to_csv(path, index=keep_index, float_format="%.6f")
        written.append(path)
    summary = summarise(frames)
    if extra:
        summary.update(extra)
    path = paths["summary"]
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(path)
    return written


def subword_view(row: Row) -> dict[str, Any]:
    """A prediction row of a sub-word tagger seen as its scoring units: ``tokens``, ``tags`` and ``pred``
    are the kept sub-words, their gold and predicted tags (the study's scores are over these)."""
    missing = [name for name in SUBWORD_FIELDS if name not in row]
    if missing:
        raise ValueError(f"doc {row.get('doc_id')!r} sentence {row.get('sent')!r}: no sub-word units {missing} "
                         "(predicted with units: word?)")
    return {**row, "tokens": row["subwords"], "tags": row["subword_tags"], "pred": row["subword_pred"]}


def scored_rows(rows: Iterable[Row], units: str = "word") -> list[dict[str, Any]]:
    """The rows as their scoring units see them: as they are (``word``), or `subword_view` (``subword``)."""
    if units == "word":
        return [dict(row) for row in rows]
    if units == "subword":
        return [subword_view(row) for row in rows]
    raise ValueError(f"unknown units {units!r}; expected word or subword")


def evaluate_file(
    pred_path: str | Path, out: str | Path | Mapping[str, str | Path], types: Iterable[str],
    units: str = "word", extra: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Read a prediction JSONL file, evaluate it on its `units` (``word``: tokens; ``subword``: the kept
    sub-words, see `subword_view`) and write the results (a folder or the files given); the summary says
    which units were scored and, for sub-words, how many were cut off (never scored)."""
    rows = read_prediction_rows(pred_path)
    summary: dict[str, Any] = {"n_sentences": len(rows), "units": units, **dict(extra or {})}
    try:
        rows = scored_rows(rows, units)
        if units == "subword":
            summary["subwords_truncated"] = sum(int(row["subwords_truncated"]) for row in rows)
            summary["sentences_truncated"] = sum(int(row["subwords_truncated"]) > 0 for row in rows)
        frames = evaluate_rows(rows, types)
    except ValueError as error:
        raise InputError(pred_path, str(error)) from None
    return write_evaluation(frames, out, summary)


def read_report(path: str | Path) -> pd.DataFrame:
    """Read back a ``bio_strict.csv``/``token_level.csv`` as written (index ``label``)."""
    return pd.read_csv(path, index_col="label", keep_default_na=False)


def read_confusion(path: str | Path) -> pd.DataFrame:
    """Read back a confusion CSV (index ``gold``, columns the predicted labels)."""
    frame = pd.read_csv(path, index_col="gold", keep_default_na=False)
    frame.columns.name = "pred"
    return frame
