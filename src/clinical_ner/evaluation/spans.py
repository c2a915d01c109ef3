"""Entity-level scoring on character spans with one-to-one matching (`evaluation.n2c2` has the official
n2c2-2018 track 2 scorer's semantics).

* ``strict``: a prediction is a true positive when a gold entity has the same type and exactly the same set
  of (start, end) fragments. Matching is one-to-one, so two identical predictions of one gold entity give
  one TP and one FP (and two identical gold entities need two predictions).
* ``lenient``: same type and at least one character of overlap between the fragment sets. Matching is
  one-to-one and greedy: all same-type overlapping (gold, pred) pairs are ranked by exact match first, then
  larger character overlap, then document order of the gold and then of the predicted entity (entities are
  ordered by fragments, label and id), and a pair is taken when neither side is matched yet.
* Per type: TP, FP (unmatched predictions), FN (unmatched gold), P = TP/(TP+FP), R = TP/(TP+FN),
  F1 = 2TP/(2TP+FP+FN), 0 where undefined. ``micro avg`` pools the counts over types; ``macro avg`` is the
  unweighted mean of the per-type P, R and F1 over every listed type (a type absent from gold and
  prediction counts as 0, as in ``metrics``); both average rows carry the summed counts.
* Documents are paired by ``doc_id``. A predicted document without gold is a ValueError naming it; a gold
  document without prediction contributes all of its entities as false negatives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from clinical_ner.data.records import Document, Entity, Span
from clinical_ner.evaluation.metrics import safe_divide

MODES: tuple[str, ...] = ("strict", "lenient")
FRAME_COLUMNS: tuple[str, ...] = ("mode", "label", "precision", "recall", "f1", "tp", "fp", "fn")


def overlap(a: Sequence[Span], b: Sequence[Span]) -> int:
    """Number of characters covered by both fragment sets (fragments within one set may not overlap)."""
    total = 0
    for a_start, a_end in a:
        for b_start, b_end in b:
            total += max(0, min(a_end, b_end) - max(a_start, b_start))
    return total


def _order(entities: Sequence[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (tuple(e.spans), e.label, e.id))


def match_strict(gold: Sequence[Entity], pred: Sequence[Entity]) -> list[tuple[Entity, Entity]]:
    """One-to-one exact matches (same type, same fragments), deterministic."""
    available: dict[tuple, list[Entity]] = {}
    for entity in _order(gold):
        available.setdefault(entity.key(), []).append(entity)
    pairs = []
    for entity in _order(pred):
        candidates = available.get(entity.key())
        if candidates:
            pairs.append((candidates.pop(0), entity))
    return pairs


def match_lenient(gold: Sequence[Entity], pred: Sequence[Entity]) -> list[tuple[Entity, Entity]]:
    """One-to-one greedy overlap matches (same type, >= 1 shared character), deterministic."""
    gold_sorted, pred_sorted = _order(gold), _order(pred)
    candidates = []
    for gi, g in enumerate(gold_sorted):
        for pi, p in enumerate(pred_sorted):
            if g.label != p.label:
                continue
            shared = overlap(g.spans, p.spans)
            if shared > 0:
                candidates.append((g.spans != p.spans, -shared, gi, pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, _, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        pairs.append((gold_sorted[gi], pred_sorted[pi]))
    return pairs


MATCHERS = {"strict": match_strict, "lenient": match_lenient}


def count_matches(gold: Sequence[Entity], pred: Sequence[Entity], mode: str) -> dict[str, Counter]:
    """Per-type ``tp``, ``fp``, ``fn`` counters for one document's entities."""
    if mode not in MATCHERS:
        raise ValueError(f"unknown scoring mode {mode!r}; expected one of {MODES}")
    pairs = MATCHERS[mode](gold, pred)
    tp = Counter(g.label for g, _ in pairs)
    gold_total = Counter(e.label for e in gold)
    pred_total = Counter(e.label for e in pred)
    return {"tp": tp, "fp": pred_total - tp, "fn": gold_total - tp}


def index_documents(docs: Iterable[Document], side: str) -> dict[str, Document]:
    """Documents by id; a repeated id is a ValueError naming it."""
    index: dict[str, Document] = {}
    for doc in docs:
        if doc.doc_id in index:
            raise ValueError(f"duplicate {side} document {doc.doc_id!r}")
        index[doc.doc_id] = doc
    return index


def prf_from_counts(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall and F1 from true/false positive and false negative counts (element-wise, 0 where
    undefined); vectorised, e.g. over bootstrap resamples."""
    tp, fp, fn = (np.asarray(x, dtype=float) for x in (tp, fp, fn))
    return {
        "precision": safe_divide(tp, tp + fp),
        "recall": safe_divide(tp, tp + fn),
        "f1": safe_divide(2 * tp, 2 * tp + fp + fn),
    }


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 from counts; 0 where a denominator is 0."""
    return {name: float(value) for name, value in prf_from_counts(tp, fp, fn).items()}


def score_documents(
    gold_docs: Iterable[Document],
    pred_docs: Iterable[Document],
    types: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Strict and lenient per-type scores plus ``micro avg`` and ``macro avg`` rows.

    Columns: mode, label, precision, recall, f1, tp, fp, fn. Rows per mode: the types in the given order
    (default: every type that occurs in gold or predictions, sorted), then ``micro avg``, ``macro avg``.
    """
    gold_index = index_documents(gold_docs, "gold")
    pred_index = index_documents(pred_docs, "predicted")
    orphans = sorted(set(pred_index) - set(gold_index))
    if orphans:
        raise ValueError(f"predicted document(s) without a gold counterpart: {', '.join(orphans)}")

    seen = {e.label for d in gold_index.values() for e in d.entities}
    seen |= {e.label for d in pred_index.values() for e in d.entities}
    labels = sorted(seen) if types is None else list(dict.fromkeys(types))

    records = []
    for mode in MODES:
        totals = {"tp": Counter(), "fp": Counter(), "fn": Counter()}
        for doc_id in sorted(gold_index):
            gold = gold_index[doc_id].entities
            pred = pred_index[doc_id].entities if doc_id in pred_index else []
            for name, counter in count_matches(gold, pred, mode).items():
                totals[name].update(counter)
        per_type = []
        for label in labels:
            tp, fp, fn = totals["tp"][label], totals["fp"][label], totals["fn"][label]
            row = {"mode": mode, "label": label, **prf(tp, fp, fn), "tp": tp, "fp": fp, "fn": fn}
            per_type.append(row)
        tp = sum(r["tp"] for r in per_type)
        fp = sum(r["fp"] for r in per_type)
        fn = sum(r["fn"] for r in per_type)
        micro = {"mode": mode, "label": "micro avg", **prf(tp, fp, fn), "tp": tp, "fp": fp, "fn": fn}
        macro = {"mode": mode, "label": "macro avg", "tp": tp, "fp": fp, "fn": fn}
        for name in ("precision", "recall", "f1"):
            macro[name] = sum(r[name] for r in per_type) / len(per_type) if per_type else 0.0
        records += per_type + [micro, macro]
    frame = pd.DataFrame(records, columns=list(FRAME_COLUMNS))
    return frame.astype({"tp": int, "fp": int, "fn": int})
