"""Entity-level scores with the semantics of the official n2c2-2018 track 2 scorer (what published n2c2
results report), beside the one-to-one scorer of `evaluation.spans`.

* A discontinuous entity counts as one span from its first start to its last end.
* ``strict``: same type and same start and end; ``lenient``: same type and at least one shared character.
* Per document, each system entity is compared, in file order, with the gold entities in file order. A
  system entity that matches a gold entity already matched by an earlier system entity is dropped
  (neither TP nor FP), even when it also matches another, unmatched gold entity (which then counts as
  matched). A system entity that matches several unmatched gold entities marks them all matched but is
  one TP.
* TP = system entities left that match some gold entity, FP = system entities left - TP,
  FN = gold entities - TP (so a gold entity "matched" only by a dropped or a multi-matching system entity
  still counts as a miss).
* ``micro avg`` (and each type's row) sums TP/FP/FN over documents; ``macro avg`` is the mean over the gold
  documents of per-document P/R/F1 (all listed types pooled). P, R or F1 with a zero denominator is 0.

The frame has the columns and row order of `spans.score_documents`, so the same table code reads both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from clinical_ner.data.records import Document, Entity
from clinical_ner.evaluation.spans import FRAME_COLUMNS, MODES, index_documents, prf

Extent = tuple[str, int, int]


def extent(entity: Entity) -> Extent:
    """(type, first start, last end): how the official scorer sees an entity."""
    starts, ends = zip(*entity.spans)
    return entity.label, min(starts), max(ends)


def overlaps(a: Extent, b: Extent) -> bool:
    """At least one shared character, whatever the types."""
    return a[1] < b[2] and b[1] < a[2]


def matches(gold: Extent, system: Extent, mode: str) -> bool:
    if mode not in MODES:
        raise ValueError(f"unknown scoring mode {mode!r}; expected one of {MODES}")
    if gold[0] != system[0]:
        return False
    return gold[1:] == system[1:] if mode == "strict" else overlaps(gold, system)


def system_outcomes(gold: Sequence[Entity], system: Sequence[Entity], mode: str) -> list[tuple[str, list[int]]]:
    """Per system entity (file order): ``tp``, ``fp`` or ``dropped`` (matches a gold entity an earlier system
    entity matched: neither TP nor FP), and the indices of the gold entities it matches."""
    gold_extents = [extent(e) for e in gold]
    matched: set[int] = set()
    outcomes = []
    for entity in system:
        own = extent(entity)
        hits = [i for i, g in enumerate(gold_extents) if matches(g, own, mode)]
        dropped = any(i in matched for i in hits)
        matched.update(hits)
        outcomes.append(("dropped" if dropped else "tp" if hits else "fp", hits))
    return outcomes


def document_counts(gold: Sequence[Entity], system: Sequence[Entity], mode: str) -> dict[str, Counter]:
    """Per-type ``tp``, ``fp``, ``fn`` of one document (entities in file order), as the official scorer counts."""
    tp: Counter = Counter()
    fp: Counter = Counter()
    for entity, (outcome, _) in zip(system, system_outcomes(gold, system, mode)):
        if outcome != "dropped":
            (tp if outcome == "tp" else fp)[entity.label] += 1
    fn = Counter(e.label for e in gold)
    fn.subtract(tp)
    return {"tp": tp, "fp": fp, "fn": +fn}


def paired_documents(gold_docs: Iterable[Document], pred_docs: Iterable[Document], labels: Sequence[str]):
    """(doc_id, gold entities, predicted entities) per gold document, sorted, restricted to `labels`."""
    wanted = set(labels)
    gold_index = index_documents(gold_docs, "gold")
    pred_index = index_documents(pred_docs, "predicted")
    orphans = sorted(set(pred_index) - set(gold_index))
    if orphans:
        raise ValueError(f"predicted document(s) without a gold counterpart: {', '.join(orphans)}")
    for doc_id in sorted(gold_index):
        gold = [e for e in gold_index[doc_id].entities if e.label in wanted]
        pred = [e for e in pred_index[doc_id].entities if e.label in wanted] if doc_id in pred_index else []
        yield doc_id, gold, pred


def pooled_document_counts(
    gold_docs: Iterable[Document], pred_docs: Iterable[Document], types: Iterable[str], mode: str
) -> tuple[list[str], np.ndarray]:
    """Per gold document (sorted by id), TP/FP/FN pooled over `types`: ``[n_docs, 3]``. Summed over the
    documents they are the ``micro avg`` counts of :func:`score_documents_n2c2` (used to resample documents)."""
    doc_ids, rows = [], []
    for doc_id, gold, pred in paired_documents(gold_docs, pred_docs, sorted(set(types))):
        counts = document_counts(gold, pred, mode)
        doc_ids.append(doc_id)
        rows.append([sum(counts[name].values()) for name in ("tp", "fp", "fn")])
    return doc_ids, np.array(rows, dtype=np.int64).reshape(len(doc_ids), 3)


def score_documents_n2c2(
    gold_docs: Iterable[Document], pred_docs: Iterable[Document], types: Iterable[str]
) -> pd.DataFrame:
    """Strict and lenient per-type rows, ``micro avg`` and ``macro avg`` (see the module doc).

    Only entities of `types` are scored. A gold document without prediction scores as one with no
    entities; a predicted document without gold is a ValueError.
    """
    labels = list(dict.fromkeys(types))  # in the given order (the label map's)
    gold_docs, pred_docs = list(gold_docs), list(pred_docs)
    records = []
    for mode in MODES:
        totals = {"tp": Counter(), "fp": Counter(), "fn": Counter()}
        per_document = []
        for _, gold, pred in paired_documents(gold_docs, pred_docs, labels):
            counts = document_counts(gold, pred, mode)
            for name, counter in counts.items():
                totals[name].update(counter)
            per_document.append(prf(*(sum(counts[name].values()) for name in ("tp", "fp", "fn"))))
        for label in labels:
            tp, fp, fn = (totals[name][label] for name in ("tp", "fp", "fn"))
            records.append({"mode": mode, "label": label, **prf(tp, fp, fn), "tp": tp, "fp": fp, "fn": fn})
        tp, fp, fn = (sum(totals[name].values()) for name in ("tp", "fp", "fn"))
        records.append({"mode": mode, "label": "micro avg", **prf(tp, fp, fn), "tp": tp, "fp": fp, "fn": fn})
        macro = {m: sum(d[m] for d in per_document) / len(per_document) if per_document else 0.0
                 for m in ("precision", "recall", "f1")}
        records.append({"mode": mode, "label": "macro avg", **macro, "tp": tp, "fp": fp, "fn": fn})
    frame = pd.DataFrame(records, columns=list(FRAME_COLUMNS))
    return frame.astype({"tp": int, "fp": int, "fn": int})
