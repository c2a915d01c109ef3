"""Words to sub-words: first-sub-word labelling, windows for long sentences, batching and re-assembly.

Every word gets at least one sub-word (a word the tokenizer drops becomes the unknown token), and only
the FIRST sub-word of each word is labelled and predicted. A sentence whose sub-words (plus the special
tokens) exceed `max_length` is split into consecutive windows at word boundaries; the predictions of its
windows are put back together so that every word gets exactly one prediction, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from clinical_ner.data.records import Sentence

IGNORE = -100


@dataclass
class Window:
    """A run of consecutive words of one sentence that fits the encoder."""

    sentence: int                 # index of the sentence in the input list
    start: int                    # index of the window's first word in the sentence
    input_ids: list[int]          # with special tokens
    first_positions: list[int]    # position in input_ids of each word's first sub-word
    labels: list[int] | None = None  # one label id per word, when known

    @property
    def n_words(self) -> int:
        return len(self.first_positions)

    def __len__(self) -> int:
        return len(self.input_ids)


def special_affixes(tokenizer: Any) -> tuple[list[int], list[int]]:
    """Ids the tokenizer adds before and after a single sequence (``[CLS]`` / ``[SEP]`` for BERT)."""
    cached = getattr(tokenizer, "_clinical_ner_affixes", None)
    if cached is not None:
        return cached
    enc = tokenizer(["a"], is_split_into_words=True, add_special_tokens=True)
    ids, word_ids = enc["input_ids"], enc.word_ids()
    words = [i for i, w in enumerate(word_ids) if w is not None]
    if words:
        prefix, suffix = ids[: words[0]], ids[words[-1] + 1:]
    else:  # "a" unknown to the tokenizer and dropped: fall back on the usual BERT tokens
        prefix = [tokenizer.cls_token_id] if tokenizer.cls_token_id is not None else []
        suffix = [tokenizer.sep_token_id] if tokenizer.sep_token_id is not None else []
    affixes = (list(prefix), list(suffix))
    try:
        tokenizer._clinical_ner_affixes = affixes
    except AttributeError:  # pragma: no cover - tokenizer objects without attribute assignment
        pass
    return affixes


def unknown_id(tokenizer: Any) -> int:
    if tokenizer.unk_token_id is not None:
        return int(tokenizer.unk_token_id)
    if tokenizer.pad_token_id is not None:  # pragma: no cover - every BERT-family tokenizer has [UNK]
        return int(tokenizer.pad_token_id)
    raise ValueError("the tokenizer has neither an unknown nor a padding token")  # pragma: no cover


def subwords_per_word(tokenizer: Any, sentences: Sequence[Sequence[str]]) -> list[list[list[int]]]:
    """For each sentence, the sub-word ids of each word (never empty: a dropped word -> [unknown])."""
    unk = unknown_id(tokenizer)
    result: list[list[list[int]]] = []
    non_empty = [i for i, words in enumerate(sentences) if len(words)]
    encoded: dict[int, Any] = {}
    if non_empty:
        batch = tokenizer(
            [list(sentences[i]) for i in non_empty], is_split_into_words=True, add_special_tokens=False,
            verbose=False,
        )
        for row, i in enumerate(non_empty):
            encoded[i] = (batch["input_ids"][row], batch.word_ids(row))
    for i, words in enumerate(sentences):
        pieces: list[list[int]] = [[] for _ in words]
        if i in encoded:
            ids, word_ids = encoded[i]
            for token_id, word in zip(ids, word_ids):
                if word is not None:
                    pieces[word].append(int(token_id))
        result.append([p if p else [unk] for p in pieces])
    return result


def _words(sentence: Sentence | Sequence[str]) -> list[str]:
    return list(sentence.tokens) if isinstance(sentence, Sentence) else list(sentence)


def make_windows(
    tokenizer: Any,
    sentences: Sequence[Sentence | Sequence[str]],
    max_length: int,
    label_ids: Sequence[Sequence[int]] | None = None,
) -> list[Window]:
    """Encode sentences into windows of at most `max_length` ids (special tokens included).

    Words are packed greedily into a window while they fit; a single word longer than the room keeps only
    its first sub-words (its label sits on the first one). Empty sentences give no window.
    """
    prefix, suffix = special_affixes(tokenizer)
    room = max_length - len(prefix) - len(suffix)
    if room < 1:
        raise ValueError(f"max_length {max_length} leaves no room for words besides the special tokens")
    words = [_words(s) for s in sentences]
    if label_ids is not None:
        if len(label_ids) != len(words):
            raise ValueError("label_ids must have one entry per sentence")
        for i, (w, lab) in enumerate(zip(words, label_ids)):
            if len(w) != len(lab):
                raise ValueError(f"sentence {i}: {len(w)} words but {len(lab)} labels")
    pieces = subwords_per_word(tokenizer, words)
    windows: list[Window] = []
    for s, sentence_pieces in enumerate(pieces):
        start = 0
        while start < len(sentence_pieces):
            ids = list(prefix)
            firsts: list[int] = []
            end = start
            while end < len(sentence_pieces):
                word = sentence_pieces[end]
                used = len(ids) - len(prefix)
                if used + len(word) > room:
                    if firsts:
                        break
                    word = word[:room]
                firsts.append(len(ids))
                ids.extend(word)
                end += 1
            ids.extend(suffix)
            labels = list(label_ids[s][start:end]) if label_ids is not None else None
            windows.append(Window(s, start, ids, firsts, labels))
            start = end
    return windows


def collate(windows: Sequence[Window], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a batch of windows to its longest member (dynamic padding).

    Returns ``input_ids``, ``attention_mask`` [batch, n_ids]; ``word_index`` (positions of first
    sub-words, padded with 0), ``word_mask`` (bool; ``word_mask[:, 0]`` is always on) and, when labels are
    known, ``labels`` (padded with 0, a valid id, so that the CRF can index them) [batch, n_words].
    """
    if not windows:
        raise ValueError("cannot collate an empty batch")
    n_ids = max(len(w) for w in windows)
    n_words = max(w.n_words for w in windows)
    input_ids = torch.full((len(windows), n_ids), pad_id, dtype=torch.long)
    attention = torch.zeros((len(windows), n_ids), dtype=torch.long)
    word_index = torch.zeros((len(windows), n_words), dtype=torch.long)
    word_mask = torch.zeros((len(windows), n_words), dtype=torch.bool)
    has_labels = all(w.labels is not None for w in windows)
    labels = torch.zeros((len(windows), n_words), dtype=torch.long)
    for row, window in enumerate(windows):
        if window.n_words == 0:
            raise ValueError("a window without words cannot be collated")
        input_ids[row, : len(window)] = torch.tensor(window.input_ids, dtype=torch.long)
        attention[row, : len(window)] = 1
        word_index[row, : window.n_words] = torch.tensor(window.first_positions, dtype=torch.long)
        word_mask[row, : window.n_words] = True
        if has_labels:
            labels[row, : window.n_words] = torch.tensor(window.labels, dtype=torch.long)
    batch = {"input_ids": input_ids, "attention_mask": attention, "word_index": word_index, "word_mask": word_mask}
    if has_labels:
        batch["labels"] = labels
    return batch


def gather_words(hidden: torch.Tensor, word_index: torch.Tensor) -> torch.Tensor:
    """First-sub-word vectors: [batch, n_ids, dim] x [batch, n_words] -> [batch, n_words, dim]."""
    index = word_index.unsqueeze(-1).expand(-1, -1, hidden.size(-1))
    return hidden.gather(1, index)


def reassemble(
    windows: Sequence[Window], predictions: Sequence[Sequence[Any]], n_words: Sequence[int]
) -> list[list[Any]]:
    """Put per-window word predictions back into per-sentence lists (one per word, in order)."""
    if len(windows) != len(predictions):
        raise ValueError("one prediction list per window is required")
    out: list[list[Any]] = [[None] * n for n in n_words]
    for window, pred in zip(windows, predictions):
        if len(pred) != window.n_words:
            raise ValueError(f"window of {window.n_words} words got {len(pred)} predictions")
        out[window.sentence][window.start: window.start + window.n_words] = list(pred)
    for s, row in enumerate(out):
        if any(p is None for p in row):
            raise ValueError(f"sentence {s}: some words got no prediction")
    return out
