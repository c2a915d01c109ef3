"""Nested training subsets for learning curves."""

from __future__ import annotations

import itertools

import pytest

from clinical_ner.data.records import Sentence
from clinical_ner.data.subsets import fraction_id, nested_subsets, subset_sentences

IDS = [f"doc{i:03d}" for i in range(53)]


def test_subsets_nest_and_have_the_asked_size():
    subsets = nested_subsets(IDS, [1.0, 0.1, 0.5, 0.25], seed=42)
    assert list(subsets) == [0.1, 0.25, 0.5, 1.0]
    sizes = [len(subsets[f]) for f in subsets]
    assert sizes == [5, 13, 26, 53]
    chain = list(subsets.values())
    for small, large in itertools.pairwise(chain):
        assert set(small) < set(large)
    assert subsets[1.0] == sorted(IDS)


def test_subsets_are_seeded_and_nest_across_calls_with_other_fractions():
    a = nested_subsets(IDS, [0.3], seed=1)[0.3]
    assert a == nested_subsets(reversed(IDS), [0.3, 0.9], seed=1)[0.3]
    assert set(a) < set(nested_subsets(IDS, [0.6], seed=1)[0.6])
    assert a != nested_subsets(IDS, [0.3], seed=2)[0.3]


def test_bad_fractions_and_sentences():
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        nested_subsets(IDS, [0.0], seed=1)
    with pytest.raises(ValueError, match="duplicate"):
        nested_subsets(IDS, [0.5, 0.50], seed=1)
    assert nested_subsets(["a"], [0.01], seed=0) == {0.01: ["a"]}
    assert fraction_id(1.0) == "1" and fraction_id(0.25) == "0.25"
    sentences = [Sentence(d, 0, ["x"], [(0, 1)], ["O"]) for d in ("a", "b", "a")]
    assert [s.doc_id for s in subset_sentences(sentences, ["a"])] == ["a", "a"]
