"""Span scores with the official n2c2-2018 track 2 semantics, on hand-computed fixtures (beside the
one-to-one scorer, to show where the two differ)."""

from __future__ import annotations

import pytest

from clinical_ner.data.records import Document, Entity
from clinical_ner.evaluation.n2c2 import document_counts, score_documents_n2c2
from clinical_ner.evaluation.spans import score_documents

TYPES = ["Drug", "Reason", "Route", "Strength", "ADE"]


def ent(label, *spans, id="T"):
    return Entity(id, label, tuple(spans))


def doc(doc_id, *entities):
    return Document(doc_id, "x" * 200, list(entities))


def counts(frame, mode, label="micro avg"):
    row = frame[(frame["mode"] == mode) & (frame["label"] == label)].iloc[0]
    return int(row.tp), int(row.fp), int(row.fn)


def both(gold, system, types=TYPES):
    """(n2c2 frame, one-to-one frame) of one document."""
    g, s = [doc("a", *gold)], [doc("a", *system)]
    return score_documents_n2c2(g, s, types), score_documents(g, s, types)


def test_exact_match_and_layout():
    n2c2, _ = both([ent("Drug", (0, 5))], [ent("Drug", (0, 5))])
    assert list(n2c2.columns) == ["mode", "label", "precision", "recall", "f1", "tp", "fp", "fn"]
    assert n2c2[n2c2["mode"] == "strict"]["label"].tolist() == list(TYPES) + ["micro avg", "macro avg"]  # in the given order
    assert counts(n2c2, "strict", "Drug") == (1, 0, 0)


def test_duplicate_system_entities_are_dropped_not_false_positives():
    n2c2, one = both([ent("Drug", (0, 7))], [ent("Drug", (0, 7), id="T1"), ent("Drug", (0, 7), id="T2")])
    for mode in ("strict", "lenient"):
        assert counts(n2c2, mode) == (1, 0, 0)
        assert counts(one, mode) == (1, 1, 0)


def test_duplicate_gold_entities_one_system_entity_is_one_tp():
    n2c2, one = both([ent("Drug", (0, 7), id="T1"), ent("Drug", (0, 7), id="T2")], [ent("Drug", (0, 7))])
    assert counts(n2c2, "strict") == (1, 0, 1)  # both gold marked matched, but TP counts system entities
    assert counts(one, "strict") == (1, 0, 1)


def test_nested_entities():
    gold = [ent("Drug", (0, 20), id="T1"), ent("Strength", (8, 13), id="T2")]
    n2c2, _ = both(gold, [ent("Strength", (8, 13))])
    for mode in ("strict", "lenient"):
        assert counts(n2c2, mode, "Strength") == (1, 0, 0)
        assert counts(n2c2, mode, "Drug") == (0, 0, 1)  # overlap with another type never counts

    same_type = [ent("Reason", (0, 20), id="T1"), ent("Reason", (5, 10), id="T2")]
    n2c2, one = both(same_type, [ent("Reason", (0, 20)), ent("Reason", (5, 10))])
    assert counts(n2c2, "strict") == (2, 0, 0)
    # lenient: the outer system entity matches both gold entities (one TP), the inner one is then dropped
    assert counts(n2c2, "lenient") == (1, 0, 1)
    assert counts(one, "lenient") == (2, 0, 0)


def test_discontinuous_entity_is_one_span_from_first_start_to_last_end():
    gold = [ent("ADE", (0, 5), (10, 15))]
    n2c2, one = both(gold, [ent("ADE", (0, 15))])
    assert counts(n2c2, "strict") == (1, 0, 0)
    assert counts(one, "strict") == (0, 1, 1)
    n2c2, one = both(gold, [ent("ADE", (5, 10))])  # only the gap between the fragments
    assert counts(n2c2, "lenient") == (1, 0, 0)
    assert counts(one, "lenient") == (0, 1, 1)
    n2c2, _ = both(gold, [ent("ADE", (0, 5), (10, 15))])
    assert counts(n2c2, "strict") == (1, 0, 0)


def test_off_by_one_and_touching_spans():
    n2c2, _ = both([ent("Drug", (0, 7))], [ent("Drug", (0, 8))])
    assert counts(n2c2, "strict") == (0, 1, 1)
    assert counts(n2c2, "lenient") == (1, 0, 0)
    n2c2, _ = both([ent("Drug", (0, 7))], [ent("Drug", (1, 7))])
    assert counts(n2c2, "strict") == (0, 1, 1)
    n2c2, _ = both([ent("Drug", (0, 7))], [ent("Drug", (7, 9))])  # touching: no shared character
    assert counts(n2c2, "lenient") == (0, 1, 1)


def test_wrong_type():
    n2c2, _ = both([ent("Drug", (0, 7))], [ent("Route", (0, 7))])
    for mode in ("strict", "lenient"):
        assert counts(n2c2, mode, "Drug") == (0, 0, 1)
        assert counts(n2c2, mode, "Route") == (0, 1, 0)
        assert counts(n2c2, mode) == (0, 1, 1)


def test_system_span_covering_two_gold_spans():
    gold = [ent("Drug", (0, 5), id="T1"), ent("Drug", (6, 10), id="T2")]
    n2c2, one = both(gold, [ent("Drug", (0, 10))])
    assert counts(n2c2, "lenient") == (1, 0, 1)
    assert counts(n2c2, "strict") == (0, 1, 2)
    assert counts(one, "lenient") == (1, 0, 1)
    # a later system entity on the second gold entity is dropped: that gold entity was marked matched
    n2c2, one = both(gold, [ent("Drug", (0, 10), id="T1"), ent("Drug", (6, 8), id="T2")])
    assert counts(n2c2, "lenient") == (1, 0, 1)
    assert counts(one, "lenient") == (2, 0, 0)


def test_dropped_entity_still_marks_an_unmatched_gold_entity():
    gold = [ent("Drug", (0, 5), id="A"), ent("Drug", (4, 10), id="B")]
    # S1 hits A; S2 hits A (matched) and B (unmatched): dropped, B marked; S3 hits only B: dropped too
    system = [ent("Drug", (0, 3), id="S1"), ent("Drug", (2, 8), id="S2"), ent("Drug", (8, 9), id="S3")]
    assert document_counts(gold, system, "lenient") == {"tp": {"Drug": 1}, "fp": {}, "fn": {"Drug": 1}}
    # file order matters: S3 first keeps it (B), then S1 (A); S2 hits two matched entities and is dropped
    reordered = [system[2], system[0], system[1]]
    assert document_counts(gold, reordered, "lenient") == {"tp": {"Drug": 2}, "fp": {}, "fn": {}}


def test_documents_without_predictions_and_macro_over_documents():
    gold = [
        doc("a", ent("Drug", (0, 5)), ent("Drug", (10, 15))),
        doc("b", ent("Route", (0, 2))),
        doc("c", ent("Drug", (20, 25))),
    ]
    # a: 1 of 2 found (P 1, R 1/2, F 2/3); b: 1 right, 1 wrong (P 1/2, R 1, F 2/3); c: no prediction file (0, 0, 0)
    pred = [doc("a", ent("Drug", (0, 5))), doc("b", ent("Route", (0, 2)), ent("Drug", (5, 9)))]
    frame = score_documents_n2c2(gold, pred, ["Drug", "Route"]).set_index(["mode", "label"])
    micro = frame.loc[("strict", "micro avg")]
    assert (micro.tp, micro.fp, micro.fn) == (2, 1, 2)
    assert [micro.precision, micro.recall, micro.f1] == pytest.approx([2 / 3, 1 / 2, 4 / 7])
    macro = frame.loc[("strict", "macro avg")]
    assert [macro.precision, macro.recall, macro.f1] == pytest.approx([1 / 2, 1 / 2, 4 / 9])
    drug = frame.loc[("strict", "Drug")]
    assert (drug.tp, drug.fp, drug.fn) == (1, 1, 2)
    with pytest.raises(ValueError, match="orphan"):
        score_documents_n2c2(gold, [doc("orphan")], ["Drug"])


def test_types_restrict_what_is_scored():
    gold = [doc("a", ent("Drug", (0, 5)), ent("Form", (6, 9)))]
    pred = [doc("a", ent("Drug", (0, 5)), ent("Form", (10, 12)))]
    frame = score_documents_n2c2(gold, pred, ["Drug"])
    assert frame["label"].tolist() == ["Drug", "micro avg", "macro avg"] * 2
    assert counts(frame, "strict") == (1, 0, 0)
    assert frame.set_index(["mode", "label"]).loc[("strict", "macro avg"), "f1"] == 1.0
