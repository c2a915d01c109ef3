"""Entity-level (character span) scoring, strict and lenient."""

from __future__ import annotations

import random

import pytest
from seqeval.metrics import f1_score as seqeval_f1
from seqeval.metrics import precision_score as seqeval_precision
from seqeval.metrics import recall_score as seqeval_recall
from seqeval.scheme import IOB2

from clinical_ner.data.records import Document, Entity
from clinical_ner.evaluation.spans import match_lenient, overlap, score_documents
from clinical_ner.labels import ENTITY_TYPES


def ent(label, *spans, id="T"):
    return Entity(id, label, tuple(spans))


def doc(doc_id, *entities):
    return Document(doc_id, "x" * 200, list(entities))


def counts(frame, mode, label):
    row = frame[(frame["mode"] == mode) & (frame["label"] == label)].iloc[0]
    return int(row.tp), int(row.fp), int(row.fn)


def test_overlap():
    assert overlap([(0, 5)], [(5, 9)]) == 0
    assert overlap([(0, 5)], [(4, 9)]) == 1
    assert overlap([(0, 5), (10, 15)], [(3, 12)]) == 4


def test_frame_layout():
    frame = score_documents([doc("a", ent("Drug", (0, 5)))], [doc("a", ent("Drug", (0, 5)))], ENTITY_TYPES)
    assert list(frame.columns) == ["mode", "label", "precision", "recall", "f1", "tp", "fp", "fn"]
    strict = frame[frame["mode"] == "strict"]
    assert strict["label"].tolist()[-2:] == ["micro avg", "macro avg"]
    assert len(strict) == 9 + 2
    assert counts(frame, "strict", "Drug") == (1, 0, 0)
    # macro over the 9 listed types: only Drug scores
    assert strict[strict["label"] == "macro avg"]["f1"].item() == pytest.approx(1 / 9)
    # without types: the types that occur, never a default label set
    alone = score_documents([doc("a", ent("Drug", (0, 5)))], [doc("a", ent("Route", (0, 5)))])
    assert alone[alone["mode"] == "strict"]["label"].tolist() == ["Drug", "Route", "micro avg", "macro avg"]


def test_discontinuous():
    gold = [doc("a", ent("ADE", (0, 5), (10, 15)))]
    exact = score_documents(gold, [doc("a", ent("ADE", (0, 5), (10, 15)))])
    assert counts(exact, "strict", "ADE") == (1, 0, 0)
    partial = score_documents(gold, [doc("a", ent("ADE", (0, 5)))])
    assert counts(partial, "strict", "ADE") == (0, 1, 1)
    assert counts(partial, "lenient", "ADE") == (1, 0, 0)
    # a prediction covering only the gap between fragments does not overlap
    gap = score_documents(gold, [doc("a", ent("ADE", (5, 10)))])
    assert counts(gap, "lenient", "ADE") == (0, 1, 1)


def test_nested():
    gold = [doc("a", ent("Drug", (0, 20), id="T1"), ent("Strength", (8, 13), id="T2"))]
    both = score_documents(gold, [doc("a", ent("Strength", (8, 13)), ent("Drug", (0, 20)))])
    assert counts(both, "strict", "micro avg") == (2, 0, 0)
    inner_only = score_documents(gold, [doc("a", ent("Strength", (8, 13)))])
    assert counts(inner_only, "strict", "Drug") == (0, 0, 1)
    assert counts(inner_only, "lenient", "Drug") == (0, 0, 1)  # overlap of another type does not count
    assert counts(inner_only, "lenient", "Strength") == (1, 0, 0)


def test_nested_same_type_prefers_exact_match():
    gold = [doc("a", ent("Reason", (0, 20), id="T1"), ent("Reason", (5, 10), id="T2"))]
    frame = score_documents(gold, [doc("a", ent("Reason", (5, 10)))])
    assert counts(frame, "lenient", "Reason") == (1, 0, 1)
    pairs = match_lenient(gold[0].entities, [ent("Reason", (5, 10))])
    assert [g.id for g, _ in pairs] == ["T2"]


def test_off_by_one_boundary():
    gold = [doc("a", ent("Drug", (0, 7)))]
    frame = score_documents(gold, [doc("a", ent("Drug", (0, 8)))])
    assert counts(frame, "strict", "Drug") == (0, 1, 1)
    assert counts(frame, "lenient", "Drug") == (1, 0, 0)
    strict_micro = frame[(frame["mode"] == "strict") & (frame["label"] == "micro avg")].iloc[0]
    lenient_micro = frame[(frame["mode"] == "lenient") & (frame["label"] == "micro avg")].iloc[0]
    assert (strict_micro.precision, strict_micro.recall, strict_micro.f1) == (0, 0, 0)
    assert (lenient_micro.precision, lenient_micro.recall, lenient_micro.f1) == (1, 1, 1)


def test_wrong_type_misses_in_both_modes():
    frame = score_documents([doc("a", ent("Drug", (0, 7)))], [doc("a", ent("Route", (0, 7)))])
    for mode in ("strict", "lenient"):
        assert counts(frame, mode, "Drug") == (0, 0, 1)
        assert counts(frame, mode, "Route") == (0, 1, 0)
        assert counts(frame, mode, "micro avg") == (0, 1, 1)


def test_duplicate_predictions():
    gold = [doc("a", ent("Drug", (0, 7)))]
    frame = score_documents(gold, [doc("a", ent("Drug", (0, 7), id="T1"), ent("Drug", (0, 7), id="T2"))])
    for mode in ("strict", "lenient"):
        assert counts(frame, mode, "Drug") == (1, 1, 0)
    row = frame[(frame["mode"] == "strict") & (frame["label"] == "Drug")].iloc[0]
    assert (row.precision, row.recall, row.f1) == pytest.approx((0.5, 1.0, 2 / 3))


def test_lenient_greedy_largest_overlap():
    a, b = ent("Drug", (0, 10), id="A"), ent("Drug", (10, 20), id="B")
    # P overlaps A by 8 and B by 3, Q overlaps only B: A-P and B-Q
    pairs = match_lenient([a, b], [ent("Drug", (2, 13), id="P"), ent("Drug", (12, 14), id="Q")])
    assert sorted((g.id, p.id) for g, p in pairs) == [("A", "P"), ("B", "Q")]
    # a single prediction straddling both goes to the larger overlap; the other gold is a miss
    pairs = match_lenient([a, b], [ent("Drug", (8, 20), id="P")])
    assert [(g.id, p.id) for g, p in pairs] == [("B", "P")]
    frame = score_documents([doc("a", a, b)], [doc("a", ent("Drug", (8, 20)))])
    assert counts(frame, "lenient", "Drug") == (1, 0, 1)


def test_deterministic_under_input_order():
    rng = random.Random(1)
    gold = [ent(rng.choice(["Drug", "Route"]), (s, s + rng.randint(1, 9)), id=f"G{s}") for s in range(0, 150, 7)]
    pred = [ent(rng.choice(["Drug", "Route"]), (s, s + rng.randint(1, 9)), id=f"P{s}") for s in range(2, 150, 5)]
    first = score_documents([doc("a", *gold)], [doc("a", *pred)])
    rng.shuffle(gold)
    rng.shuffle(pred)
    second = score_documents([doc("a", *gold)], [doc("a", *pred)])
    assert first.equals(second)


def test_document_pairing():
    gold = [doc("a", ent("Drug", (0, 3))), doc("b", ent("Drug", (0, 3)), ent("Form", (5, 9)))]
    frame = score_documents(gold, [doc("a", ent("Drug", (0, 3)))])
    assert counts(frame, "strict", "micro avg") == (1, 0, 2)  # doc b missing: all of it is FN
    with pytest.raises(ValueError, match="orphan-17"):
        score_documents(gold, [doc("orphan-17", ent("Drug", (0, 3)))])
    with pytest.raises(ValueError, match="duplicate"):
        score_documents(gold + [doc("a")], [])


def test_macro_hand_values():
    gold = [doc("a", ent("Drug", (0, 5)), ent("Drug", (10, 15)), ent("Route", (20, 25)))]
    pred = [doc("a", ent("Drug", (0, 5)), ent("Route", (20, 24)), ent("Form", (30, 35)))]
    frame = score_documents(gold, pred, types=["Drug", "Route", "Form"])
    strict = frame[frame["mode"] == "strict"].set_index("label")
    # Drug P 1 R 1/2 F 2/3; Route 0; Form 0 -> micro TP 1 FP 2 FN 2
    assert strict.loc["micro avg", ["precision", "recall", "f1"]].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    assert strict.loc["macro avg", ["precision", "recall", "f1"]].tolist() == pytest.approx([1 / 3, 1 / 6, 2 / 9])
    lenient = frame[frame["mode"] == "lenient"].set_index("label")
    assert lenient.loc["micro avg", "f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))


# ------------------------------------------------------------------------------------------ against seqeval


def bio_to_entities(tags, offsets):
    """Contiguous entities of a valid IOB2 sequence, as character spans."""
    entities, current = [], None
    for tag, (start, end) in zip(tags + ["O"], offsets + [(10**6, 10**6)]):
        if current and not tag.startswith("I-"):
            entities.append(ent(current[0], (current[1], current[2]), id=f"T{len(entities)}"))
            current = None
        if tag.startswith("B-"):
            current = [tag[2:], start, end]
        elif tag.startswith("I-"):
            current[2] = end
    return entities


def test_strict_micro_matches_seqeval_on_contiguous_entities():
    rng = random.Random(4)
    types = ["Drug", "Route", "Strength"]
    gold_seqs, pred_seqs, gold_docs, pred_docs = [], [], [], []

    def random_tags(n):
        tags, previous = [], "O"
        for _ in range(n):
            choice = rng.random()
            if choice < 0.45:
                tag = "O"
            elif choice < 0.75 or previous == "O":
                tag = "B-" + rng.choice(types)
            else:
                tag = "I-" + previous[2:]
            tags.append(tag)
            previous = tag
        return tags

    for number in range(30):
        n = rng.randint(3, 15)
        offsets = [(6 * k, 6 * k + 5) for k in range(n)]
        gold = random_tags(n)
        pred = gold[:] if rng.random() < 0.3 else random_tags(n)
        gold_seqs.append(gold)
        pred_seqs.append(pred)
        gold_docs.append(doc(f"d{number}", *bio_to_entities(gold, offsets)))
        pred_docs.append(doc(f"d{number}", *bio_to_entities(pred, offsets)))

    frame = score_documents(gold_docs, pred_docs)
    micro = frame[(frame["mode"] == "strict") & (frame["label"] == "micro avg")].iloc[0]
    expected_f1 = seqeval_f1(gold_seqs, pred_seqs, mode="strict", scheme=IOB2)
    assert 0.1 < expected_f1 < 0.9
    assert micro.f1 == pytest.approx(expected_f1)
    assert micro.precision == pytest.approx(seqeval_precision(gold_seqs, pred_seqs, mode="strict", scheme=IOB2))
    assert micro.recall == pytest.approx(seqeval_recall(gold_seqs, pred_seqs, mode="strict", scheme=IOB2))
    assert micro.f1 == pytest.approx(seqeval_f1(gold_seqs, pred_seqs))  # default (conlleval) mode agrees on IOB2
