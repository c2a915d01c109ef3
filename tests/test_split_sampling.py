"""Document-level split and down-sampling of all-O sentences."""

from __future__ import annotations

import pytest

from clinical_ner.data.records import Sentence
from clinical_ner.data.sampling import downsample, keep_plain, plain_fraction
from clinical_ner.data.split import partition_sentences, split_documents

IDS = [f"doc{i:03d}" for i in range(303)]


def test_split_sizes_sorted_disjoint_and_complete():
    train, val = split_documents(reversed(IDS), val_fraction=0.1, seed=13)
    assert (len(train), len(val)) == (273, 30)
    assert train == sorted(train) and val == sorted(val)
    assert set(train) | set(val) == set(IDS) and not set(train) & set(val)


def test_split_is_deterministic_and_seed_dependent():
    assert split_documents(IDS, 0.1, seed=1) == split_documents(list(reversed(IDS)), 0.1, seed=1)
    assert split_documents(IDS, 0.1, seed=1)[1] != split_documents(IDS, 0.1, seed=2)[1]


@pytest.mark.parametrize(("n", "expected_val"), [(0, 0), (1, 0), (2, 1), (3, 1), (5, 1), (20, 2)])
def test_split_small_corpora(n, expected_val):
    train, val = split_documents([str(i) for i in range(n)], 0.1, seed=0)
    assert len(val) == expected_val and len(train) == n - expected_val


def test_split_at_least_one_training_document():
    train, val = split_documents(["a", "b", "c"], 0.9, seed=0)
    assert len(train) == 1 and len(val) == 2


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError):
        split_documents(IDS, fraction, seed=0)


def test_split_rejects_duplicate_ids():
    with pytest.raises(ValueError, match="duplicate"):
        split_documents(["a", "a", "b"], 0.5, seed=0)


def sentence(doc_id: str, index: int, tagged: bool) -> Sentence:
    return Sentence(doc_id, index, ["a", "b"], [(0, 1), (2, 3)], ["B-Drug", "O"] if tagged else ["O", "O"])


def test_partition_sentences_keeps_order_and_rejects_unknown_docs():
    sentences = [sentence("b", 0, True), sentence("a", 0, False), sentence("b", 1, False), sentence("c", 0, True)]
    train, val = partition_sentences(sentences, ["b", "c"], ["a"])
    assert [(s.doc_id, s.index) for s in train] == [("b", 0), ("b", 1), ("c", 0)]
    assert [(s.doc_id, s.index) for s in val] == [("a", 0)]
    with pytest.raises(ValueError, match="neither"):
        partition_sentences(sentences, ["b"], ["a"])
    with pytest.raises(ValueError, match="both"):
        partition_sentences(sentences, ["a", "b", "c"], ["a"])


def corpus(n_entity: int, n_plain: int) -> list[Sentence]:
    flags = [True] * n_entity + [False] * n_plain
    import random

    random.Random(7).shuffle(flags)
    return [sentence("d", i, flag) for i, flag in enumerate(flags)]


def test_downsample_fraction_order_and_entities_kept():
    sentences = corpus(400, 1600)
    assert plain_fraction(sentences) == pytest.approx(0.8)
    sampled = downsample(sentences, 0.2, seed=3)
    assert sum(not s.is_plain for s in sampled) == 400
    assert sum(s.is_plain for s in sampled) == 100  # round(0.2 * 400 / 0.8)
    assert plain_fraction(sampled) == pytest.approx(0.2)
    indices = [s.index for s in sampled]
    assert indices == sorted(indices)


def test_downsample_is_deterministic_and_seeded():
    sentences = corpus(50, 500)
    first = [s.index for s in downsample(sentences, 0.2, seed=1)]
    assert first == [s.index for s in downsample(sentences, 0.2, seed=1)]
    assert first != [s.index for s in downsample(sentences, 0.2, seed=2)]


def test_downsample_keeps_all_plain_when_too_few_and_none_at_zero():
    sentences = corpus(50, 5)
    assert len(downsample(sentences, 0.5, seed=0)) == 55
    assert plain_fraction(downsample(sentences, 0.0, seed=0)) == 0.0
    assert downsample([], 0.2, seed=0) == [] and plain_fraction([]) == 0.0


@pytest.mark.parametrize("fraction", [1.0, -0.01, 2])
def test_downsample_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError):
        downsample(corpus(2, 2), fraction, seed=0)


def test_keep_plain_keeps_each_all_o_sentence_with_the_probability():
    sentences = corpus(300, 5000)
    kept = keep_plain(sentences, 0.08, seed=4)
    assert sum(not s.is_plain for s in kept) == 300
    assert sum(s.is_plain for s in kept) == pytest.approx(0.08 * 5000, abs=4 * (5000 * 0.08 * 0.92) ** 0.5)
    assert [s.index for s in kept] == sorted(s.index for s in kept)
    assert [s.index for s in kept] == [s.index for s in keep_plain(sentences, 0.08, seed=4)]
    assert [s.index for s in kept] != [s.index for s in keep_plain(sentences, 0.08, seed=5)]
    assert len(keep_plain(sentences, 0.0, seed=0)) == 300 and len(keep_plain(sentences, 1.0, seed=0)) == 5300
    with pytest.raises(ValueError):
        keep_plain(sentences, 1.5)


def test_hold_out_test_copies_a_seeded_share_of_the_documents(tmp_path):
    from clinical_ner.data.held_out import hold_out_test
    from clinical_ner.errors import InputError

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(10):
        (corpus / f"d{i}.txt").write_text("x")
        (corpus / f"d{i}.ann").write_text("")
    chosen = hold_out_test(corpus, tmp_path / "train", tmp_path / "test", 0.2, seed=3)
    assert len(chosen["test"]) == 2 and sorted(chosen["train"] + chosen["test"]) == sorted(f"d{i}" for i in range(10))
    assert sorted(p.name for p in (tmp_path / "test").iterdir()) == sorted(f"{d}{s}" for d in chosen["test"] for s in (".ann", ".txt"))
    assert hold_out_test(corpus, tmp_path / "a", tmp_path / "b", 0.2, seed=3) == chosen  # seeded
    with pytest.raises(InputError, match="corpus/train"):
        hold_out_test(tmp_path / "missing", tmp_path / "c", tmp_path / "d", 0.2, seed=3)
