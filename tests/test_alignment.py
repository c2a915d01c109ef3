"""Words -> sub-words: first-sub-word positions, dropped words, windows for long sentences, batching."""

from __future__ import annotations

import helpers_models  # noqa: F401  (offline mode, threads)
import pytest
import torch

from clinical_ner.models.alignment import (
    collate, gather_words, make_windows, reassemble, special_affixes, subwords_per_word,
)
from clinical_ner.models.encoders import train_wordpiece

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
    assert starts == sorted(starts) and starts[0] == 0
    assert sum(w.n_words for w in long_windows) == len(long)
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
