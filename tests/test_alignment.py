"""Words -> sub-words: first-sub-word positions, dropped words, windows for long sentences, batching."""

from __future__ import annotations

import random
from itertools import pairwise

import helpers_models
import pytest
import torch

from clinical_ner.models.encoders.wordpiece import train_wordpiece
from clinical_ner.models.units.alignment import (
    Window,
    collate,
    gather_words,
    make_windows,
    reassemble,
    sorted_chunks,
    special_affixes,
    subwords_per_word,
    window_report,
    window_spans,
)

TRAIN_WORDS = [
    "the patient took aspirin daily".split(),
    "metformin 500 mg PO BID for diabetes".split(),
    "warfarin was held because of bleeding".split(),
] * 3


@pytest.fixture(scope="module")
def tokenizer():
    # a small vocabulary: unseen words split into several sub-words (or characters)
    return train_wordpiece(TRAIN_WORDS, vocab_size=60)


def test_first_subword_positions_and_multi_piece_words(tokenizer) -> None:
    words = ["patient", "hydrochlorothiazide", "took", "q.6h", "aspirin"]
    pieces = subwords_per_word(tokenizer, [words])[0]
    assert len(pieces) == len(words)
    assert max(len(p) for p in pieces) > 1, "expected at least one word split into several sub-words"
    for word, ids in zip(words, pieces):  # same pieces as tokenizing the word on its own
        alone = tokenizer([word], is_split_into_words=True, add_special_tokens=False)["input_ids"]
        assert ids == alone
    (window,) = make_windows(tokenizer, [words], max_length=128)
    prefix, suffix = special_affixes(tokenizer)
    assert prefix == [tokenizer.cls_token_id] and suffix == [tokenizer.sep_token_id]
    assert window.input_ids[0] == tokenizer.cls_token_id and window.input_ids[-1] == tokenizer.sep_token_id
    expected, position = [], len(prefix)
    for ids in pieces:
        expected.append(position)
        position += len(ids)
    assert window.first_positions == expected
    assert [window.input_ids[p] for p in window.first_positions] == [ids[0] for ids in pieces]
    assert len(window.input_ids) == sum(len(p) for p in pieces) + 2
    # same as the tokenizer's own word_ids: the first token of each word
    enc = tokenizer([words], is_split_into_words=True)
    firsts = [i for i, w in enumerate(enc.word_ids(0)) if w is not None and (i == 0 or enc.word_ids(0)[i - 1] != w)]
    assert firsts == window.first_positions


def test_word_dropped_by_tokenizer_becomes_unknown(tokenizer) -> None:
    words = ["aspirin", "\u200b", "", "daily"]  # a zero-width space and an empty word: no sub-words
    raw = tokenizer([words], is_split_into_words=True, add_special_tokens=False)
    assert {w for w in raw.word_ids(0) if w is not None} == {0, 3}  # the tokenizer alone loses them
    pieces = subwords_per_word(tokenizer, [words])[0]
    assert pieces[1] == [tokenizer.unk_token_id] and pieces[2] == [tokenizer.unk_token_id]
    (window,) = make_windows(tokenizer, [words], max_length=32, label_ids=[[1, 2, 3, 4]])
    assert window.n_words == 4 and window.labels == [1, 2, 3, 4]


def test_long_sentence_is_windowed_and_reassembled_exactly(tokenizer) -> None:
    long = (TRAIN_WORDS[0] + ["hydrochlorothiazide"] + TRAIN_WORDS[1]) * 15  # 195 words
    short = ["aspirin", "daily"]
    sentences = [short, long, [], short]
    labels = [[i % 5 for i in range(len(s))] for s in sentences]
    max_length = 16
    windows = make_windows(tokenizer, sentences, max_length, labels)
    assert all(len(w) <= max_length for w in windows)
    long_windows = [w for w in windows if w.sentence == 1]
    assert len(long_windows) > 10
    starts = [w.start for w in long_windows]
    assert starts == sorted(set(starts)) and starts[0] == 0
    ends = [w.start + w.n_words for w in long_windows]
    assert ends == sorted(set(ends)) and ends[-1] == len(long)
    for before, after in pairwise(long_windows):  # consecutive windows overlap
        assert after.start < before.start + before.n_words
    assert [w.last for w in long_windows] == [False] * (len(long_windows) - 1) + [True]
    for w in long_windows:  # windows are cut at word boundaries and carry their own labels
        assert w.labels == labels[1][w.start: w.start + w.n_words]
    assert not [w for w in windows if w.sentence == 2]  # the empty sentence has no window
    # predictions = global word index: reassembly must restore 0..n-1 in order for every sentence
    predictions = [[w.start + k for k in range(w.n_words)] for w in windows]
    out = reassemble(windows, predictions, [len(s) for s in sentences])
    assert [len(o) for o in out] == [len(s) for s in sentences]
    assert out[1] == list(range(len(long))) and out[2] == []
    with pytest.raises(ValueError):
        reassemble(windows[:-1], predictions[:-1], [len(s) for s in sentences])


def test_window_spans_overlap_and_always_progress() -> None:
    assert window_spans([1] * 5, 10) == [(0, 5)]
    # 10 one-piece words, room 4, half overlap: each window shares 2 sub-words with the next
    assert window_spans([1] * 10, 4) == [(0, 4), (2, 6), (4, 8), (6, 10)]
    assert window_spans([1] * 10, 4, overlap=0.0) == [(0, 4), (4, 8), (8, 10)]
    # words longer than the room stand alone; the next window always reaches further than the last
    assert window_spans([1, 9, 1, 1], 4) == [(0, 1), (1, 2), (2, 4)]
    assert window_spans([3, 3, 3, 8], 10) == [(0, 3), (3, 4)]
    for lengths in ([2, 1, 3, 1, 1, 2, 4, 1, 1, 1, 2] * 3, [5] * 7, [1, 6, 1, 6, 1]):
        spans = window_spans(lengths, 6)
        assert spans[0][0] == 0 and spans[-1][1] == len(lengths)
        for (s0, e0), (s1, e1) in pairwise(spans):
            assert s0 < s1 <= e0 < e1
        for start, end in spans:
            assert end - start == 1 or sum(lengths[start:end]) <= 6


def stub_predictions(windows, tags):
    """A stand-in model: a word is tagged with its gold tag only when its whole entity is inside the window
    with a word of context on each side (or the sentence edge); else `O` (an edge sees too little)."""
    from clinical_ner.data.bio import decode_tags

    out = []
    for w in windows:
        gold = tags[w.sentence]
        spans = [(e.start, e.end) for e in decode_tags("", "", [(i, i + 1) for i in range(len(gold))], gold)]
        lo, hi = w.start, w.start + w.n_words
        row = []
        for i in range(lo, hi):
            inside = [(a, b) for a, b in spans if a <= i < b]
            seen = inside and (inside[0][0] > lo or lo == 0) and (inside[0][1] < hi or w.last)
            row.append(gold[i] if seen else "O")
        out.append(row)
    return out


def test_entity_crossing_a_window_edge_is_predicted_whole(tokenizer) -> None:
    words = "the patient took aspirin daily".split() * 6  # 30 words of 2 to 6 sub-words
    tags = ["O"] * len(words)
    plain = make_windows(tokenizer, [words], 40, overlap=0.0)
    edge = plain[0].start + plain[0].n_words  # first word of the second non-overlapping window
    tags[edge - 1: edge + 2] = ["B-Drug", "I-Drug", "I-Drug"]  # crosses that edge
    expected = [tags]
    # without overlap the entity is cut in two and each half is lost
    cut = reassemble(plain, stub_predictions(plain, expected), [len(words)])
    assert cut != expected
    assert window_report(plain, expected)["entities_in_no_single_window"] == 1
    windows = make_windows(tokenizer, [words], 40)
    assert reassemble(windows, stub_predictions(windows, expected), [len(words)]) == expected
    report = window_report(windows, expected)
    assert report["entities"] == 1 and report["entities_crossing_window_edge"] == 1
    assert report["entities_in_no_single_window"] == 0
    assert report["windows"] == len(windows) > len(plain) and report["sentences_windowed"] == 1


def test_each_word_is_taken_from_the_window_where_it_is_most_central() -> None:
    spans = window_spans([1] * 12, 6)  # 12 one-piece words, room 6: overlap 3
    assert spans == [(0, 6), (3, 9), (6, 12)]
    windows = [Window(0, a, [0] * (b - a + 2), list(range(1, b - a + 1)), last=b == 12) for a, b in spans]
    # each window predicts its own index: words 0-4 from window 0, 5-7 from 1, 8-11 from 2
    out = reassemble(windows, [[k] * w.n_words for k, w in enumerate(windows)], [12])
    assert out == [[0] * 5 + [1] * 3 + [2] * 4]


def test_word_longer_than_window_keeps_its_first_subword(tokenizer) -> None:
    words = ["aspirin", "xyzxyzxyzxyzxyzxyzxyzxyzxyz", "daily"]
    windows = make_windows(tokenizer, [words], max_length=6)
    assert sum(w.n_words for w in windows) == 3
    assert all(len(w) <= 6 for w in windows)
    first = subwords_per_word(tokenizer, [words])[0][1][0]
    assert any(first in w.input_ids for w in windows)
    with pytest.raises(ValueError, match="no room"):
        make_windows(tokenizer, [words], max_length=2)


def test_collate_pads_dynamically_and_gathers_first_subwords(tokenizer) -> None:
    sentences = [["aspirin"], "metformin 500 mg PO BID for hydrochlorothiazide".split()]
    windows = make_windows(tokenizer, sentences, 64, [[1], [0, 1, 2, 3, 4, 5, 6]])
    batch = collate(windows, tokenizer.pad_token_id)
    longest = max(len(w) for w in windows)
    assert batch["input_ids"].shape == (2, longest)
    assert batch["word_mask"].shape == (2, 7) and bool(batch["word_mask"][:, 0].all())
    assert batch["word_mask"].sum(1).tolist() == [1, 7]
    assert batch["sentence_start"].tolist() == [True, True]
    assert batch["attention_mask"].sum(1).tolist() == [len(w) for w in windows]
    assert int(batch["input_ids"][0, len(windows[0]):].ne(tokenizer.pad_token_id).sum()) == 0
    hidden = torch.arange(2 * longest, dtype=torch.float).reshape(2, longest, 1).expand(2, longest, 3)
    words = gather_words(hidden, batch["word_index"])
    assert words.shape == (2, 7, 3)
    assert words[1, :, 0].tolist() == [longest + p for p in windows[1].first_positions]


def test_tagger_predicts_one_tag_per_word_for_long_sentences() -> None:
    tagger = helpers_models.tiny_tagger("crf", max_length=12)
    assert tagger.max_length == 12
    long = ("The patient was started on aspirin 81 mg PO daily for hypertension .".split()) * 20
    out = tagger.predict([long, ["aspirin"], long[:5]], batch_size=4)
    assert [len(o) for o in out] == [len(long), 1, 5]
    assert all(tag in tagger.labels for row in out for tag in row)


def test_sorted_chunks_cover_every_item_once_by_length_within_both_limits() -> None:
    lengths = [30, 5, 12, 12, 7, 200, 9, 31, 8, 40]
    chunks = sorted_chunks(lengths, batch_size=3, max_tokens=64)
    flat = [i for chunk in chunks for i in chunk]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)
    for chunk in chunks:
        longest = max(lengths[i] for i in chunk)
        assert len(chunk) <= 3
        assert len(chunk) * longest <= 64 or len(chunk) == 1
    assert [lengths[i] for i in chunks[-1]] == [200]
    assert [len(c) for c in sorted_chunks(lengths, batch_size=4)] == [4, 4, 2]
    assert sorted_chunks([], batch_size=4) == []


def test_collate_matches_a_padding_oracle() -> None:
    """Every field equals the one built position by position, with and without labels."""
    rng = random.Random(5)
    windows = []
    for i in range(9):
        n_ids = rng.randint(1, 30)
        firsts = sorted(rng.sample(range(n_ids), rng.randint(1, n_ids)))
        windows.append(Window(i, rng.choice([0, 3]), [rng.randrange(1, 99) for _ in range(n_ids)], firsts,
                              [rng.randrange(19) for _ in firsts], last=True))
    for batch_windows in (windows, [Window(w.sentence, w.start, w.input_ids, w.first_positions, None, w.last)
                                    for w in windows]):
        batch = collate(batch_windows, pad_id=0)
        n_ids, n_words = max(len(w) for w in windows), max(w.n_words for w in windows)
        for row, w in enumerate(batch_windows):
            assert batch["input_ids"][row].tolist() == w.input_ids + [0] * (n_ids - len(w))
            assert batch["attention_mask"][row].tolist() == [1] * len(w) + [0] * (n_ids - len(w))
            assert batch["word_index"][row].tolist() == w.first_positions + [0] * (n_words - w.n_words)
            assert batch["word_mask"][row].tolist() == [True] * w.n_words + [False] * (n_words - w.n_words)
            if w.labels is not None:
                assert batch["labels"][row].tolist() == w.labels + [0] * (n_words - w.n_words)
        assert batch["sentence_start"].tolist() == [w.start == 0 for w in batch_windows]
        assert {k: v.dtype for k, v in batch.items()} == {
            "input_ids": torch.long, "attention_mask": torch.long, "word_index": torch.long,
            "word_mask": torch.bool, "sentence_start": torch.bool,
            **({"labels": torch.long} if batch_windows[0].labels is not None else {})}
    with pytest.raises(ValueError, match="without words"):
        collate([Window(0, 0, [1, 2], [], [], last=True)], pad_id=0)
