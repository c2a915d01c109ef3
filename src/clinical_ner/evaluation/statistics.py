"""How sure each headline number is: bootstrap intervals over test documents and paired tests.

The unit of resampling is the test DOCUMENT (sentences and entities of one letter are not independent).
Each run is reduced once to per-document sufficient statistics (:class:`DocumentCounts`: true positives,
predicted and gold counts per label, from ``metrics.label_counts`` and ``n2c2.pooled_document_counts``); a
resample draws documents with replacement, sums their counts and scores them with the same functions
that produce the reported numbers (``metrics.scores_from_counts``), so a resample with every document
drawn once gives exactly the reported score.

* Interval: percentile bootstrap (``level`` 0.95 by default) of each headline score. With several seeds,
  the statistic is the mean over seeds (every seed scored on the same resampled documents).
* Paired test against the reference model: the SAME resampled documents score both models; the
  difference's bootstrap distribution is centred on the observed difference d and the two-sided p-value is
  ``(1 + #{|d* - d| >= |d|}) / (1 + n_resamples)`` (shift method; identical predictions give p = 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from clinical_ner.data.records import Document
from clinical_ner.errors import InputError
from clinical_ner.evaluation.metrics import (
    Row,
    label_counts,
    row_tags,
    scores_from_counts,
    to_token_level,
    token_labels,
)
from clinical_ner.evaluation.n2c2 import pooled_document_counts
from clinical_ner.evaluation.spans import MODES
from clinical_ner.labels import bio_labels

HEADLINE: tuple[str, ...] = ("bio_macro_f1", "bio_weighted_f1", "token_macro_f1", "span_strict_f1", "span_lenient_f1")
HEADLINE_NAMES = {
    "bio_macro_f1": "macro BIO-strict F1",
    "bio_weighted_f1": "weighted BIO-strict F1",
    "token_macro_f1": "token-level macro F1",
    "span_strict_f1": "strict span micro F1",
    "span_lenient_f1": "lenient span micro F1",
}
STAT_COLUMNS: tuple[str, ...] = (
    "model", "metric", "estimate", "low", "high", "n_seeds", "difference", "p_value", "significant",
)
COUNT_FILE_COLUMNS: tuple[str, ...] = ("doc_id", "view", "label", "tp", "n_pred", "n_gold")
SPAN_VIEWS = {mode: f"span_{mode}" for mode in MODES}


@dataclass
class DocumentCounts:
    """Per-document (tp, predicted, gold) counts of one run: ``bio`` [D, 19, 3], ``token`` [D, 10, 3],
    ``spans`` [D, 2, 3] (strict, lenient micro counts of the n2c2-2018 track 2 scorer, ``evaluation.n2c2``;
    absent when the run has no span scores)."""

    doc_ids: list[str]
    bio: np.ndarray
    token: np.ndarray
    spans: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.doc_ids)
        for name in ("bio", "token", "spans"):
            value = getattr(self, name)
            if value is not None and value.shape[0] != n:
                raise ValueError(f"{name} counts have {value.shape[0]} documents, expected {n}")


def count_documents(
    rows: Iterable[Row],
    types: Iterable[str],
    gold_docs: Sequence[Document] | None = None,
    pred_docs: Sequence[Document] | None = None,
) -> DocumentCounts:
    """Per-document counts of prediction rows (token views) and, when given, of gold/predicted entities.

    Documents are the union of those in the rows and the gold documents, sorted by id; a document absent
    from one side contributes zero counts there.
    """
    types = tuple(types)
    rows = list(rows)
    gold_tags, pred_tags = row_tags(rows, types)
    by_doc: dict[str, tuple[list, list]] = {}
    for row, gold, pred in zip(rows, gold_tags, pred_tags):
        entry = by_doc.setdefault(str(row["doc_id"]), ([], []))
        entry[0].append(gold)
        entry[1].append(pred)
    span_ids: list[str] = []
    span_counts: dict[str, np.ndarray] = {}
    if gold_docs is not None:
        for mode in MODES:
            span_ids, span_counts[mode] = pooled_document_counts(gold_docs, pred_docs or [], types, mode)
    doc_ids = sorted(set(by_doc) | set(span_ids))
    bio_set, token_set = bio_labels(types), token_labels(types)
    bio = np.zeros((len(doc_ids), len(bio_set), 3), dtype=np.int64)
    token = np.zeros((len(doc_ids), len(token_set), 3), dtype=np.int64)
    for i, doc_id in enumerate(doc_ids):
        if doc_id in by_doc:
            gold, pred = by_doc[doc_id]
            bio[i] = label_counts(gold, pred, bio_set)
            token[i] = label_counts(to_token_level(gold), to_token_level(pred), token_set)
    spans = None
    if gold_docs is not None:
        spans = np.zeros((len(doc_ids), len(MODES), 3), dtype=np.int64)
        position = {doc_id: i for i, doc_id in enumerate(doc_ids)}
        for m, mode in enumerate(MODES):
            for doc_id, (tp, fp, fn) in zip(span_ids, span_counts[mode]):
                spans[position[doc_id], m] = (tp, tp + fp, tp + fn)
    return DocumentCounts(doc_ids, bio, token, spans)


def headline_scores(counts: DocumentCounts, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Headline scores for each row of `weights` ([n_resamples, n_docs]: how often each document is drawn)."""
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    bio = scores_from_counts(np.einsum("bd,dlk->blk", weights, counts.bio))
    token = scores_from_counts(np.einsum("bd,dlk->blk", weights, counts.token))
    scores = {
        "bio_macro_f1": bio["macro avg"]["f1"],
        "bio_weighted_f1": bio["weighted avg"]["f1"],
        "token_macro_f1": token["macro avg"]["f1"],
    }
    if counts.spans is not None:
        for m, mode in enumerate(MODES):
            pooled = np.einsum("bd,dk->bk", weights, counts.spans[:, m, :])
            scores[f"span_{mode}_f1"] = scores_from_counts(pooled[:, None, :])["micro avg"]["f1"]
    return scores


def resample_weights(n_docs: int, n_resamples: int, seed: int) -> np.ndarray:
    """[n_resamples, n_docs] draw counts of a seeded bootstrap (each row sums to n_docs)."""
    if n_docs < 1 or n_resamples < 1:
        raise ValueError("the bootstrap needs at least one document and one resample")
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_docs, np.full(n_docs, 1.0 / n_docs), size=n_resamples)


def _seed_mean(runs: Sequence[DocumentCounts], weights: np.ndarray) -> dict[str, np.ndarray]:
    per_seed = [headline_scores(run, weights) for run in runs]
    return {metric: np.mean([scores[metric] for scores in per_seed], axis=0) for metric in per_seed[0]}


def bootstrap(
    runs: Mapping[str, Sequence[DocumentCounts]],
    reference: str | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Intervals of every headline score of every model and paired p-values against `reference`.

    `runs` maps a model to its runs (one per training seed) on the same test documents. Returns one row per
    (model, metric) with ``STAT_COLUMNS``; the reference model's difference and p-value are NaN.
    """
    if not runs:
        raise ValueError("no runs to bootstrap")
    if reference is not None and reference not in runs:
        raise ValueError(f"reference model {reference!r} is not among {list(runs)}")
    doc_ids = next(iter(runs.values()))[0].doc_ids
    for model, seeds in runs.items():
        if not seeds:
            raise ValueError(f"model {model!r} has no runs")
        for run in seeds:
            if run.doc_ids != doc_ids:
                raise ValueError(f"model {model!r} was scored on other test documents than the first model")
    weights = resample_weights(len(doc_ids), n_resamples, seed)
    ones = np.ones((1, len(doc_ids)))
    estimates = {model: _seed_mean(seeds, ones) for model, seeds in runs.items()}
    samples = {model: _seed_mean(seeds, weights) for model, seeds in runs.items()}
    tail = 100 * (1 - level) / 2
    records = []
    for model, seeds in runs.items():
        for metric in HEADLINE:
            if metric not in samples[model]:
                continue
            estimate = float(estimates[model][metric][0])
            low, high = np.percentile(samples[model][metric], [tail, 100 - tail])
            row = {"model": model, "metric": metric, "estimate": estimate, "low": float(low), "high": float(high),
                   "n_seeds": len(seeds), "difference": np.nan, "p_value": np.nan, "significant": pd.NA}
            if reference is not None and model != reference and metric in samples[reference]:
                observed = estimate - float(estimates[reference][metric][0])
                spread = samples[model][metric] - samples[reference][metric] - observed
                extreme = int(np.sum(np.abs(spread) >= abs(observed) - 1e-12))
                row["difference"] = observed
                row["p_value"] = (1 + extreme) / (1 + n_resamples)
                row["significant"] = bool(row["p_value"] < 1 - level)
            records.append(row)
    return pd.DataFrame(records, columns=list(STAT_COLUMNS))


# ------------------------------------------------------------------------------------------------- files


def run_document_counts(
    gold_dir: str | Path, ann_dir: str | Path, predictions: str | Path, units: str, types: Sequence[str],
    label_map: Mapping[str, str] | None,
) -> DocumentCounts:
    """The per-document counts of one run from its files: gold BRAT folder, predicted ``.ann`` folder and
    prediction rows (``test.jsonl``), scored on `units` as the tables are (protocol paper: sub-words)."""
    from clinical_ner.evaluation.brat_scoring import read_folders
    from clinical_ner.evaluation.run_files import read_prediction_rows, scored_rows

    scoring = read_folders(gold_dir, ann_dir, label_map)
    rows = scored_rows(read_prediction_rows(predictions), units)
    return count_documents(rows, types, scoring.gold, scoring.predicted)


def counts_frame(counts: DocumentCounts, types: Iterable[str]) -> pd.DataFrame:
    """Long form of :class:`DocumentCounts` (``COUNT_FILE_COLUMNS``); span views have label ``all``."""
    types = tuple(types)
    records = []
    views = [("bio_strict", bio_labels(types), counts.bio), ("token_level", token_labels(types), counts.token)]
    for i, doc_id in enumerate(counts.doc_ids):
        for view, labels, array in views:
            for j, label in enumerate(labels):
                records.append((doc_id, view, label, *map(int, array[i, j])))
        if counts.spans is not None:
            for m, mode in enumerate(MODES):
                records.append((doc_id, SPAN_VIEWS[mode], "all", *map(int, counts.spans[i, m])))
    return pd.DataFrame(records, columns=list(COUNT_FILE_COLUMNS))


def read_counts(path: str | Path, types: Iterable[str]) -> DocumentCounts:
    """Read back a file written from :func:`counts_frame` (InputError naming the file when malformed)."""
    types = tuple(types)
    frame = pd.read_csv(path, keep_default_na=False, dtype={"doc_id": str})
    missing = sorted(set(COUNT_FILE_COLUMNS) - set(frame.columns))
    if missing:
        raise InputError(path, f"document counts lack the columns {missing}")
    doc_ids = sorted(set(frame["doc_id"]))

    def block(views: Sequence[str], labels: Sequence[str]) -> np.ndarray:
        chosen = frame[frame["view"].isin(views)]
        key = chosen["view"] if len(views) > 1 else chosen["label"]
        names = list(views) if len(views) > 1 else list(labels)
        index = pd.MultiIndex.from_arrays([chosen["doc_id"], key])
        table = chosen.set_index(index)[["tp", "n_pred", "n_gold"]]
        full = pd.MultiIndex.from_product([doc_ids, names])
        table = table.reindex(full, fill_value=0)
        return table.to_numpy(dtype=np.int64).reshape(len(doc_ids), len(names), 3)

    spans_present = set(SPAN_VIEWS.values()) & set(frame["view"])
    spans = block([SPAN_VIEWS[m] for m in MODES], ["all"]) if spans_present else None
    return DocumentCounts(doc_ids, block(["bio_strict"], bio_labels(types)),
                          block(["token_level"], token_labels(types)), spans)


# ------------------------------------------------------------------------------------------------ tables


def format_p(p_value: float, level: float = 0.95) -> str:
    """``0.012``, ``<0.001``; ``ns`` appended when not significant at 1 - level; ``ref`` for the reference."""
    if pd.isna(p_value):
        return "ref"
    text = "<0.001" if p_value < 0.001 else f"{p_value:.3f}"
    return text if p_value < 1 - level else f"{text} ns"


def statistics_table(stats: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Readable form of :func:`bootstrap`'s frame: model, score, estimate, low, high, difference, p."""
    table = stats[["model", "metric", "estimate", "low", "high", "n_seeds", "difference"]].copy()
    table["metric"] = table["metric"].map(lambda m: HEADLINE_NAMES.get(m, m))
    table = table.rename(columns={"metric": "score", "difference": "difference_vs_reference"})
    table["p_vs_reference"] = [format_p(p, level) for p in stats["p_value"]]
    return table.reset_index(drop=True)


def interval_columns(stats: pd.DataFrame, metric: str, level: float = 0.95) -> pd.DataFrame:
    """Per model: ``ci`` (``[low, high]``) and ``p_vs_reference`` of one headline metric, to join to a table."""
    chosen = stats[stats["metric"] == metric]
    return pd.DataFrame({
        "model": chosen["model"].to_numpy(),
        f"{level:.0%}_ci": [f"[{low:.4f}, {high:.4f}]" for low, high in zip(chosen["low"], chosen["high"])],
        "p_vs_reference": [format_p(p, level) for p in chosen["p_value"]],
    })
