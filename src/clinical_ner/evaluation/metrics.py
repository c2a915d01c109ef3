"""Per-token classification reports (BIO-strict and token-level) and confusion matrices.

Conventions (they follow scikit-learn's ``classification_report`` called with an explicit ``labels=`` list
and ``zero_division=0``; ``tests/test_metrics.py`` checks the agreement):

* Every label of the explicit list gets a row, even when it occurs in neither gold nor prediction
  (support 0, precision = recall = F1 = 0).
* ``macro avg`` is the unweighted mean of the per-label rows of the list, so such absent labels *are*
  included (and pull the macro average down). Macro-F1 is the mean of per-label F1 scores, not the
  harmonic mean of macro precision and recall.
* ``micro avg`` pools true positives, predicted counts and gold counts over the listed labels only. A token
  whose gold tag is outside the list but whose predicted tag is inside counts as a false positive of that
  label (and vice versa a false negative); a token with both tags outside the list is ignored. When the
  list covers every tag that occurs, micro precision = micro recall = micro F1 = accuracy.
* ``weighted avg`` weights the per-label rows by gold support (0 when the total support is 0).
* The ``support`` of the three average rows is the summed support of the listed labels.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from clinical_ner.labels import OUTSIDE, bio_labels, ordered_types
from clinical_ner.labels import token_level as merge_bio

AVERAGE_ROWS: tuple[str, ...] = ("micro avg", "macro avg", "weighted avg")
COLUMNS: tuple[str, ...] = ("precision", "recall", "f1", "support")

Row = Mapping[str, Any]


def token_labels(types: Iterable[str]) -> list[str]:
    """Label set of the token-level view: `O` followed by the entity types (order as `labels.bio_labels`)."""
    return [OUTSIDE] + ordered_types(types)


def flatten_pairs(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> tuple[list[str], list[str]]:
    """Concatenate sentence-wise tag sequences; ValueError when the shapes differ."""
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} sentences but prediction has {len(pred)}")
    flat_gold: list[str] = []
    flat_pred: list[str] = []
    for number, (gold_tags, pred_tags) in enumerate(zip(gold, pred)):
        if len(gold_tags) != len(pred_tags):
            raise ValueError(
                f"sentence {number}: {len(gold_tags)} gold tags but {len(pred_tags)} predicted tags"
            )
        flat_gold.extend(gold_tags)
        flat_pred.extend(pred_tags)
    return flat_gold, flat_pred


def _check_labels(labels: Sequence[str]) -> list[str]:
    labels = list(labels)
    if not labels:
        raise ValueError("the label list is empty")
    duplicates = sorted(label for label, n in Counter(labels).items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate labels in the label list: {duplicates}")
    return labels


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / denominator if denominator else 0.0


COUNT_COLUMNS: tuple[str, ...] = ("tp", "n_pred", "n_gold")


def label_counts(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """Sufficient statistics of a report: ``[n_labels, 3]`` integer array of (true positives, predicted,
    gold) per label of the list. Counts of disjoint parts (e.g. documents) add up."""
    labels = _check_labels(labels)
    flat_gold, flat_pred = flatten_pairs(gold, pred)
    gold_counts = Counter(flat_gold)
    pred_counts = Counter(flat_pred)
    hits = Counter(g for g, p in zip(flat_gold, flat_pred) if g == p)
    return np.array([[hits[label], pred_counts[label], gold_counts[label]] for label in labels], dtype=np.int64)


def safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise numerator / denominator, 0 where the denominator is 0 (arrays or scalars)."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    return np.divide(numerator, denominator, out=np.zeros(np.broadcast(numerator, denominator).shape),
                     where=denominator != 0)


def scores_from_counts(counts: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Per-label and averaged precision/recall/F1 from ``[..., n_labels, 3]`` counts (see module notes).

    Vectorised over leading axes (e.g. bootstrap resamples). Keys: ``label`` (arrays ``[..., n_labels]``)
    and the three ``AVERAGE_ROWS`` (arrays ``[...]``); each maps precision, recall, f1 to an array.
    """
    counts = np.asarray(counts, dtype=float)
    tp, n_pred, n_gold = counts[..., 0], counts[..., 1], counts[..., 2]
    per_label = {"precision": safe_divide(tp, n_pred), "recall": safe_divide(tp, n_gold), "f1": safe_divide(2 * tp, n_pred + n_gold)}
    total_tp, total_pred, total_gold = tp.sum(-1), n_pred.sum(-1), n_gold.sum(-1)
    return {
        "label": per_label,
        "micro avg": {
            "precision": safe_divide(total_tp, total_pred),
            "recall": safe_divide(total_tp, total_gold),
            "f1": safe_divide(2 * total_tp, total_pred + total_gold),
        },
        "macro avg": {name: values.mean(-1) for name, values in per_label.items()},
        "weighted avg": {name: safe_divide((values * n_gold).sum(-1), total_gold) for name, values in per_label.items()},
    }


def classification_report_frame(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]
) -> pd.DataFrame:
    """Per-label precision/recall/F1/support plus micro, macro and weighted averages (see module notes).

    Index: the labels in the given order, then ``micro avg``, ``macro avg``, ``weighted avg``;
    columns: ``precision``, ``recall``, ``f1`` (floats) and ``support`` (int).
    """
    labels = _check_labels(labels)
    counts = label_counts(gold, pred, labels)
    scores = scores_from_counts(counts)
    support = counts[:, 2]
    total = int(support.sum())
    records = [
        {**{name: float(scores["label"][name][i]) for name in ("precision", "recall", "f1")}, "support": int(support[i])}
        for i in range(len(labels))
    ]
    records += [
        {**{name: float(scores[row][name]) for name in ("precision", "recall", "f1")}, "support": total}
        for row in AVERAGE_ROWS
    ]
    frame = pd.DataFrame(records, index=pd.Index(labels + list(AVERAGE_ROWS), name="label"))
    frame["support"] = frame["support"].astype(int)
    return frame[list(COLUMNS)]


def macro_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]) -> dict[str, float]:
    """The ``macro avg`` precision, recall and F1 of :func:`classification_report_frame` over `labels`."""
    row = classification_report_frame(gold, pred, labels).loc["macro avg"]
    return {name: float(row[name]) for name in ("precision", "recall", "f1")}


def macro_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]) -> float:
    """The ``macro avg`` F1 of :func:`classification_report_frame` over `labels` (absent labels count as 0).

    The one macro-F1 of the project: model selection on validation and the reported tables both use it.
    """
    return macro_scores(gold, pred, labels)["f1"]


def _row_tags(rows: Iterable[Row]) -> tuple[list[list[str]], list[list[str]]]:
    gold, pred = [], []
    for row in rows:
        where = f"doc {row.get('doc_id')!r} sentence {row.get('sent')!r}"
        if "tags" not in row or "pred" not in row:
            raise ValueError(f"{where}: a prediction row needs both 'tags' and 'pred'")
        if len(row["tags"]) != len(row["pred"]):
            raise ValueError(f"{where}: {len(row['tags'])} gold tags but {len(row['pred'])} predicted tags")
        gold.append(list(row["tags"]))
        pred.append(list(row["pred"]))
    return gold, pred


def _check_known(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]) -> None:
    known = set(labels)
    for name, sequences in (("gold", gold), ("predicted", pred)):
        unknown = sorted({tag for tags in sequences for tag in tags} - known)
        if unknown:
            raise ValueError(f"{name} tags outside the label set {list(labels)}: {unknown}")


def row_tags(rows: Iterable[Row], types: Iterable[str]) -> tuple[list[list[str]], list[list[str]]]:
    """Gold (`tags`) and predicted (`pred`) BIO sequences of prediction rows, validated against the BIO set."""
    gold, pred = _row_tags(rows)
    _check_known(gold, pred, bio_labels(types))
    return gold, pred


def to_token_level(sequences: Sequence[Sequence[str]]) -> list[list[str]]:
    """B-/I- merged view of sentence-wise BIO sequences."""
    return [merge_bio(tags) for tags in sequences]


def bio_strict(rows: Iterable[Row], types: Iterable[str]) -> pd.DataFrame:
    """BIO-strict report: each token scored on its full tag over the 19 BIO labels (`O` included)."""
    types = tuple(types)
    gold, pred = row_tags(rows, types)
    return classification_report_frame(gold, pred, bio_labels(types))


def token_level(rows: Iterable[Row], types: Iterable[str]) -> pd.DataFrame:
    """Token-level report: B-/I- merged, over `O` plus the entity types."""
    types = tuple(types)
    gold, pred = row_tags(rows, types)
    return classification_report_frame(to_token_level(gold), to_token_level(pred), token_labels(types))


def confusion_frame(
    gold: Sequence[Sequence[str]],
    pred: Sequence[Sequence[str]],
    labels: Sequence[str],
    normalise: bool = False,
) -> pd.DataFrame:
    """Confusion counts: gold labels as rows (index name ``gold``), predicted labels as columns (``pred``).

    Tokens whose gold or predicted tag is outside `labels` are not counted. With ``normalise=True`` each row
    is divided by its sum (rows that sum to 0 stay 0), see :func:`row_normalise`.
    """
    labels = _check_labels(labels)
    flat_gold, flat_pred = flatten_pairs(gold, pred)
    known = set(labels)
    pairs = Counter((g, p) for g, p in zip(flat_gold, flat_pred) if g in known and p in known)
    data = [[pairs[(g, p)] for p in labels] for g in labels]
    frame = pd.DataFrame(data, index=pd.Index(labels, name="gold"), columns=pd.Index(labels, name="pred"))
    return row_normalise(frame) if normalise else frame


def row_normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Divide each row of a count matrix by its sum (recall on the diagonal); all-zero rows stay 0."""
    totals = frame.sum(axis=1).astype(float)
    normalised = frame.astype(float).div(totals.where(totals > 0, 1.0), axis=0)
    return normalised


def confusion_bio(rows: Iterable[Row], types: Iterable[str], normalise: bool = False) -> pd.DataFrame:
    """19 x 19 BIO confusion matrix of prediction rows."""
    types = tuple(types)
    gold, pred = row_tags(rows, types)
    return confusion_frame(gold, pred, bio_labels(types), normalise)


def confusion_token(rows: Iterable[Row], types: Iterable[str], normalise: bool = False) -> pd.DataFrame:
    """10 x 10 token-level (B-/I- merged) confusion matrix of prediction rows."""
    types = tuple(types)
    gold, pred = row_tags(rows, types)
    return confusion_frame(to_token_level(gold), to_token_level(pred), token_labels(types), normalise)


def accuracy(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    """Fraction of tokens whose predicted tag equals the gold tag."""
    flat_gold, flat_pred = flatten_pairs(gold, pred)
    return _ratio(sum(g == p for g, p in zip(flat_gold, flat_pred)), len(flat_gold))
