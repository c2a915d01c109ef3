"""Entity-level error taxonomy with the semantics of the official n2c2-2018 track 2 scorer (`evaluation.n2c2`).

Every predicted and every gold entity of the scored types gets one kind. An entity is seen as the scorer
sees it: its type and its extent (first start to last end); two entities overlap when their extents share a
character.

* ``correct``: a prediction the strict scorer counts as a true positive, and the gold entity it is counted
  for (its first strict match).
* A prediction the strict scorer counts as a false positive, and a gold entity not counted correct, is, by
  the first that applies, compared with the entities of the other side:
  ``wrong_type`` (one has the same extent and another type); ``wrong_boundary`` (one of the same type
  overlaps); ``wrong_type_boundary`` (one of another type overlaps); ``spurious`` (a prediction that
  overlaps no gold entity) or ``missed`` (a gold entity that overlaps no prediction).
* ``duplicate``: an entity with the type and extent of another of its side. The scorer drops a repeated
  prediction (neither TP nor FP) and counts a repeated gold entity, whose prediction was counted for its
  twin, as a miss. BIO-decoded predictions never repeat.

The rule by which the kinds make up the strict span table's counts, per type (a prediction counts at its
type, a gold entity at its type) and in total, is :data:`SPAN_COUNTS`:

    TP = correct
    FP = wrong_type_fp + wrong_boundary_fp + wrong_type_boundary_fp + spurious
    FN = wrong_type_fn + wrong_boundary_fn + wrong_type_boundary_fn + missed + duplicate_fn

``*_fp`` columns count predictions, ``*_fn`` columns gold entities, so one prediction across two gold
entities is one ``wrong_boundary_fp`` and two ``wrong_boundary_fn``; ``duplicate_dropped`` counts the
dropped predictions, in none of the three.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from clinical_ner.data.records import Document, Entity
from clinical_ner.evaluation.n2c2 import Extent, extent, overlaps, paired_documents, system_outcomes

KINDS: tuple[str, ...] = ("correct", "wrong_type", "wrong_boundary", "wrong_type_boundary", "spurious", "missed",
                          "duplicate")
ERROR_KINDS: tuple[str, ...] = KINDS[1:]
KIND_TITLES = {
    "correct": "correct", "wrong_type": "wrong type, same span", "wrong_boundary": "right type, wrong boundary",
    "wrong_type_boundary": "wrong type and boundary", "spurious": "spurious", "missed": "missed",
    "duplicate": "duplicate",
}
PREDICTED, GOLD = "predicted", "gold"
# (side, kind) -> the count column of `count_outcomes`
COLUMNS: dict[tuple[str, str], str] = {
    (PREDICTED, "correct"): "correct",
    **{(side, kind): f"{kind}_{'fp' if side == PREDICTED else 'fn'}"
       for kind in ("wrong_type", "wrong_boundary", "wrong_type_boundary") for side in (PREDICTED, GOLD)},
    (PREDICTED, "spurious"): "spurious",
    (GOLD, "missed"): "missed",
    (PREDICTED, "duplicate"): "duplicate_dropped",
    (GOLD, "duplicate"): "duplicate_fn",
}
COUNT_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(COLUMNS.values()))
SPAN_COUNTS: dict[str, tuple[str, ...]] = {
    "tp": ("correct",),
    "fp": ("wrong_type_fp", "wrong_boundary_fp", "wrong_type_boundary_fp", "spurious"),
    "fn": ("wrong_type_fn", "wrong_boundary_fn", "wrong_type_boundary_fn", "missed", "duplicate_fn"),
}
ALL_TYPES = "all types"


@dataclass(frozen=True)
class Outcome:
    """One entity's kind; `others`: the entities of the other side that give it (matched or overlapping)."""

    doc_id: str
    side: str
    entity: Entity
    kind: str
    others: tuple[Entity, ...] = ()


def _compare(own: Extent, others: Sequence[Extent], alone: str) -> tuple[str, list[int]]:
    """The kind of an entity not counted correct, and the indices of the `others` that give it."""
    same_span = [i for i, other in enumerate(others) if other[1:] == own[1:]]
    if any(others[i][0] == own[0] for i in same_span):
        return "duplicate", [i for i in same_span if others[i][0] == own[0]]
    if same_span:
        return "wrong_type", same_span
    overlapping = [i for i, other in enumerate(others) if overlaps(own, other)]
    same_type = [i for i in overlapping if others[i][0] == own[0]]
    if same_type:
        return "wrong_boundary", same_type
    if overlapping:
        return "wrong_type_boundary", overlapping
    return alone, []


def classify_document(doc_id: str, gold: Sequence[Entity], predicted: Sequence[Entity]) -> list[Outcome]:
    """The predictions' outcomes (file order), then the gold entities' (module doc)."""
    gold_extents = [extent(e) for e in gold]
    pred_extents = [extent(e) for e in predicted]
    counted: dict[int, Entity] = {}
    outcomes = []
    for entity, own, (result, hits) in zip(predicted, pred_extents, system_outcomes(gold, predicted, "strict")):
        if result == "tp":
            counted[hits[0]] = entity
            kind, found = "correct", hits[:1]
        elif result == "dropped":
            kind, found = "duplicate", hits
        else:
            kind, found = _compare(own, gold_extents, "spurious")
        outcomes.append(Outcome(doc_id, PREDICTED, entity, kind, tuple(gold[i] for i in found)))
    for index, (entity, own) in enumerate(zip(gold, gold_extents)):
        if index in counted:
            outcomes.append(Outcome(doc_id, GOLD, entity, "correct", (counted[index],)))
            continue
        kind, found = _compare(own, pred_extents, "missed")
        outcomes.append(Outcome(doc_id, GOLD, entity, kind, tuple(predicted[i] for i in found)))
    return outcomes


def classify_documents(
    gold_docs: Iterable[Document], pred_docs: Iterable[Document], types: Iterable[str]
) -> list[Outcome]:
    """Outcomes of every gold document (sorted by id) over the entities of `types`; a predicted document
    without gold is a ValueError, a gold document without prediction one with no entities (as the scorer)."""
    outcomes = []
    for doc_id, gold, predicted in paired_documents(gold_docs, pred_docs, sorted(set(types))):
        outcomes += classify_document(doc_id, gold, predicted)
    return outcomes


def count_outcomes(outcomes: Iterable[Outcome], types: Iterable[str]) -> pd.DataFrame:
    """``label`` and the :data:`COUNT_COLUMNS`: one row per type (sorted), then ``all types``. A correct
    pair is counted once, by its prediction."""
    counts: dict[str, Counter] = {}
    for outcome in outcomes:
        if (outcome.side, outcome.kind) in COLUMNS:
            counts.setdefault(outcome.entity.label, Counter())[COLUMNS[(outcome.side, outcome.kind)]] += 1
    labels = sorted(set(types) | set(counts))
    rows = [{"label": label, **{c: counts.get(label, Counter())[c] for c in COUNT_COLUMNS}} for label in labels]
    rows.append({"label": ALL_TYPES, **{c: sum(row[c] for row in rows) for c in COUNT_COLUMNS}})
    return pd.DataFrame(rows, columns=["label", *COUNT_COLUMNS])


def span_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The strict span table's ``tp``, ``fp``, ``fn`` of each row of a `count_outcomes` frame (:data:`SPAN_COUNTS`)."""
    frame = pd.DataFrame({name: counts[list(columns)].sum(axis=1) for name, columns in SPAN_COUNTS.items()})
    return pd.concat([counts[["label"]], frame], axis=1)


def taxonomy_documents(
    gold_docs: Iterable[Document], pred_docs: Iterable[Document], types: Iterable[str]
) -> pd.DataFrame:
    """`count_outcomes` of `classify_documents`."""
    types = sorted(set(types))
    return count_outcomes(classify_documents(gold_docs, pred_docs, types), types)
