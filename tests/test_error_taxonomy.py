"""The entity-level error taxonomy: each kind on a hand-made document, and the rule by which the kinds make up
the strict n2c2 span counts (checked on random documents with overlaps, nesting and repeats)."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from clinical_ner.data.records import Document, Entity
from clinical_ner.evaluation.error_taxonomy import (
    ALL_TYPES,
    COUNT_COLUMNS,
    classify_document,
    span_counts,
    taxonomy_documents,
)
from clinical_ner.evaluation.n2c2 import score_documents_n2c2

TEXT = "Aspirin 81 mg po daily for pain; stop ibuprofen; rash noted today."


def entity(n: int, label: str, start: int, end: int, side: str = "T") -> Entity:
    return Entity(f"{side}{n}", label, ((start, end),), TEXT[start:end])


GOLD = [
    entity(1, "Drug", 0, 7),          # Aspirin: correct
    entity(2, "Strength", 8, 13),     # 81 mg: predicted as Dosage on the same span
    entity(3, "Route", 14, 16),       # po: missed
    entity(4, "Frequency", 17, 22),   # daily: predicted "daily for" (same type, longer)
    entity(5, "Reason", 27, 31),      # pain: predicted ADE "for pain"
    entity(6, "ADE", 49, 53),         # rash: correct
]
PRED = [
    entity(1, "Drug", 0, 7),
    entity(2, "Dosage", 8, 13),
    entity(3, "Frequency", 17, 26),
    entity(4, "ADE", 23, 31),
    entity(5, "Drug", 38, 47),        # ibuprofen: spurious
    entity(6, "ADE", 49, 53),
]


def kinds(outcomes, side):
    return [(o.entity.id, o.kind) for o in outcomes if o.side == side]


def test_each_kind_on_a_hand_made_document():
    outcomes = classify_document("d1", GOLD, PRED)
    assert kinds(outcomes, "predicted") == [
        ("T1", "correct"), ("T2", "wrong_type"), ("T3", "wrong_boundary"), ("T4", "wrong_type_boundary"),
        ("T5", "spurious"), ("T6", "correct")]
    assert kinds(outcomes, "gold") == [
        ("T1", "correct"), ("T2", "wrong_type"), ("T3", "missed"), ("T4", "wrong_boundary"),
        ("T5", "wrong_type_boundary"), ("T6", "correct")]
    wrong_type = next(o for o in outcomes if o.side == "predicted" and o.kind == "wrong_type")
    assert [e.label for e in wrong_type.others] == ["Strength"]


def test_one_prediction_across_two_gold_entities_is_one_fp_and_two_fn():
    gold = [entity(1, "Drug", 0, 7), entity(2, "Drug", 8, 10)]
    outcomes = classify_document("d", gold, [entity(1, "Drug", 0, 10)])
    assert kinds(outcomes, "predicted") == [("T1", "wrong_boundary")]
    assert kinds(outcomes, "gold") == [("T1", "wrong_boundary"), ("T2", "wrong_boundary")]


def test_repeats_are_duplicates_as_the_scorer_counts_them():
    outcomes = classify_document("d", [entity(1, "Drug", 0, 7)] * 2, [entity(1, "Drug", 0, 7), entity(2, "Drug", 0, 7)])
    assert kinds(outcomes, "predicted") == [("T1", "correct"), ("T2", "duplicate")]
    assert kinds(outcomes, "gold") == [("T1", "correct"), ("T1", "duplicate")]


def test_counts_per_type_and_in_total():
    counts = taxonomy_documents([Document("d1", TEXT, GOLD)], [Document("d1", TEXT, PRED)],
                                ["ADE", "Drug", "Dosage", "Frequency", "Reason", "Route", "Strength"])
    assert list(counts.columns) == ["label", *COUNT_COLUMNS]
    rows = counts.set_index("label")
    assert rows.loc["Drug", ["correct", "spurious"]].tolist() == [1, 1]
    assert rows.loc["Dosage", "wrong_type_fp"] == 1 and rows.loc["Strength", "wrong_type_fn"] == 1
    assert rows.loc["ADE", "wrong_type_boundary_fp"] == 1 and rows.loc["Reason", "wrong_type_boundary_fn"] == 1
    assert rows.loc["Route", "missed"] == 1
    total = rows.loc[ALL_TYPES]
    assert total["correct"] == 2 and total[list(COUNT_COLUMNS)].sum() == len(GOLD) + len(PRED) - 2


def random_documents(rng: random.Random, n_docs: int) -> tuple[list[Document], list[Document]]:
    """Documents whose gold and predicted entities overlap, nest, repeat and change type at random."""
    labels = ["Drug", "Dosage", "ADE"]
    gold_docs, pred_docs = [], []
    for d in range(n_docs):
        text = "x" * 60
        gold = []
        for n in range(rng.randint(0, 8)):
            start = rng.randrange(0, 55)
            gold.append(Entity(f"T{n}", rng.choice(labels), ((start, start + rng.randint(1, 5)),)))
        if gold and rng.random() < 0.2:
            gold.append(Entity("T99", gold[0].label, gold[0].spans))
        pred = []
        for n in range(rng.randint(0, 8)):
            if gold and rng.random() < 0.6:
                base = rng.choice(gold)
                start, end = base.spans[0]
                start, end = max(0, start + rng.choice([0, 0, -1, 1])), end + rng.choice([0, 0, 1])
                label = base.label if rng.random() < 0.7 else rng.choice(labels)
            else:
                start = rng.randrange(0, 55)
                end, label = start + rng.randint(1, 5), rng.choice(labels)
            pred.append(Entity(f"T{n}", label, ((start, max(end, start + 1)),)))
        gold_docs.append(Document(f"d{d}", text, gold))
        pred_docs.append(Document(f"d{d}", text, pred))
    return gold_docs, pred_docs


@pytest.mark.parametrize("seed", range(5))
def test_the_kinds_make_up_the_strict_span_counts(seed):
    """correct = TP; the FP and FN columns of `SPAN_COUNTS` sum to the strict n2c2 FP and FN, per type and in
    total; every entity is counted once."""
    gold, pred = random_documents(random.Random(seed), 40)
    types = ["ADE", "Dosage", "Drug"]
    counts = taxonomy_documents(gold, pred, types)
    scores = score_documents_n2c2(gold, pred, types)
    strict = scores[scores["mode"] == "strict"].replace({"label": {"micro avg": ALL_TYPES}})
    expected = strict[strict["label"] != "macro avg"][["label", "tp", "fp", "fn"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(span_counts(counts), expected, check_dtype=False)
    total = counts.set_index("label").loc[ALL_TYPES]
    assert total.sum() + total["correct"] == sum(len(d.entities) for d in gold + pred)
    assert expected["tp"].sum() > 0 and expected["fp"].sum() > 0 and expected["fn"].sum() > 0
    assert total["duplicate_fn"] + total["duplicate_dropped"] > 0


def test_the_rule_holds_on_real_text(phee_dir, phee_label_map):
    """PHEE's test gold against a copy with entities shifted, re-typed, dropped and added."""
    from clinical_ner.data.brat import read_corpus
    from clinical_ner.data.report import CorpusReport

    gold = read_corpus(phee_dir / "test", phee_label_map, CorpusReport())
    rng = random.Random(0)
    types = sorted(set(phee_label_map.values()))
    predicted = []
    for doc in gold:
        entities = []
        for n, e in enumerate(doc.entities):
            change = rng.random()
            start, end = e.start, e.end
            if change < 0.15:
                continue
            if change < 0.3:
                end = min(len(doc.text), end + 3)
            label = rng.choice(types) if 0.3 <= change < 0.4 else e.label
            entities.append(Entity(f"T{n}", label, ((start, end),)))
        if len(doc.text) > 10 and rng.random() < 0.3:
            entities.append(Entity("T999", "Drug", ((0, 5),)))
        predicted.append(Document(doc.doc_id, doc.text, entities))
    counts = taxonomy_documents(gold, predicted, types)
    strict = score_documents_n2c2(gold, predicted, types).query("mode == 'strict' and label != 'macro avg'")
    expected = strict.replace({"label": {"micro avg": ALL_TYPES}})[["label", "tp", "fp", "fn"]]
    assert span_counts(counts).values.tolist() == expected.values.tolist()
    assert (counts.set_index("label").loc[ALL_TYPES, list(COUNT_COLUMNS)] > 0).sum() >= 6
