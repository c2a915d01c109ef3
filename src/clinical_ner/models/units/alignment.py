"""Words to sub-words: first-sub-word labelling, windows for long sentences, batching and re-assembly.

Every word gets at least one sub-word (a word the tokenizer drops becomes the unknown token), and only
the FIRST sub-word of each word is labelled and predicted. A sentence whose sub-words (plus the special
tokens) exceed `max_length` is split at word boundaries into OVERLAPPING windows (a stride, as flair and
the Hugging Face pipelines do): consecutive windows share about `WINDOW_OVERLAP` of their sub-words.
Each word takes its prediction from the window where it is most central (the most sub-words of context
on its poorer side; the sentence's own edges count as unlimited context), so every word gets exactly one
prediction, in order, and an entity near a window edge is predicted from the window that sees it whole.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from clinical_ner.data.bio import decode_tags
from clinical_ner.data.records import Sentence, words_of

WINDOW_OVERLAP = 0.5  # fraction of a window's sub-words shared with the next window of the same sentence


@dataclass
class Window:
    """A run of consecutive words of one sentence that fits the encoder."""

    sentence: int                 # index of the sentence in the input list
    start: int                    # index of the window's first word in the sentence
    input_ids: list[int]          # with special tokens
    first_positions: list[int]    # position in input_ids of each word's first sub-word
    labels: list[int] | None = None  # one label id per word, when known
    last: bool = True             # the window ends at the end of its sentence

    @property
    def n_words(self) -> int:
        return len(self.first_positions)

    def __len__(self) -> int:
        return len(self.input_ids)

    def context(self, k: int) -> float:
        """Sub-words of context around the window's k-th word on its poorer side (inf at a sentence edge)."""
        left = self.first_positions[k] - self.first_positions[0] if self.start > 0 else math.inf
        right = self.first_positions[-1] - self.first_positions[k] if not self.last else math.inf
        return min(left, right)


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
    with contextlib.suppress(AttributeError):  # tokenizer objects without attribute assignment
        tokenizer._clinical_ner_affixes = affixes
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


def window_spans(lengths: Sequence[int], room: int, overlap: float = WINDOW_OVERLAP) -> list[tuple[int, int]]:
    """Word ranges ``[start, end)`` of the windows of a sentence whose words have `lengths` sub-words.

    Words are packed greedily while they fit in `room` sub-words (a longer word alone is cut to `room`);
    the next window starts at the earliest word from which the rest of the current window holds at most
    ``overlap * room`` sub-words, and always after the current window's start.
    """
    spans: list[tuple[int, int]] = []
    start, n = 0, len(lengths)
    budget = int(overlap * room)
    while start < n:
        end, used = start, 0
        while end < n and (end == start or used + lengths[end] <= room):
            used += min(lengths[end], room)
            end += 1
        spans.append((start, end))
        if end == n:
            break
        following, shared = end, 0
        while following - 1 > start and shared + lengths[following - 1] <= budget:
            following -= 1
            shared += lengths[following]
        while following < end and shared + min(lengths[end], room) > room:  # the next window must reach further
            shared -= lengths[following]
            following += 1
        start = following
    return spans


def make_windows(
    tokenizer: Any,
    sentences: Sequence[Sentence | Sequence[str]],
    max_length: int,
    label_ids: Sequence[Sequence[int]] | None = None,
    overlap: float = WINDOW_OVERLAP,
) -> list[Window]:
    """Encode sentences into windows of at most `max_length` ids (special tokens included).

    A sentence that fits is one window; a longer one gets overlapping windows (`window_spans`). A single
    word longer than the room keeps only its first sub-words (its label sits on the first one). Empty
    sentences give no window.
    """
    prefix, suffix = special_affixes(tokenizer)
    room = max_length - len(prefix) - len(suffix)
    if room < 1:
        raise ValueError(f"max_length {max_length} leaves no room for words besides the special tokens")
    words = [words_of(s) for s in sentences]
    if label_ids is not None:
        if len(label_ids) != len(words):
            raise ValueError("label_ids must have one entry per sentence")
        for i, (w, lab) in enumerate(zip(words, label_ids)):
            if len(w) != len(lab):
                raise ValueError(f"sentence {i}: {len(w)} words but {len(lab)} labels")
    pieces = subwords_per_word(tokenizer, words)
    windows: list[Window] = []
    for s, sentence_pieces in enumerate(pieces):
        for start, end in window_spans([len(p) for p in sentence_pieces], room, overlap):
            ids = list(prefix)
            firsts: list[int] = []
            for word in sentence_pieces[start:end]:
                firsts.append(len(ids))
                ids.extend(word[:room])
            ids.extend(suffix)
            labels = list(label_ids[s][start:end]) if label_ids is not None else None
            windows.append(Window(s, start, ids, firsts, labels, last=end == len(sentence_pieces)))
    return windows


def collate(windows: Sequence[Window], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a batch of windows to its longest member (dynamic padding).

    Returns ``input_ids``, ``attention_mask`` [batch, n_ids]; ``word_index`` (positions of first
    sub-words, padded with 0), ``word_mask`` (bool; ``word_mask[:, 0]`` is always on) and, when labels are
    known, ``labels`` (padded with 0, a valid id, so that the CRF can index them) [batch, n_words];
    ``sentence_start`` [batch] (bool: the window begins at its sentence's first word). Built in numpy
    arrays, one slice copy per window and field: the training step's host-side cost, paid every step.
    """
    if not windows:
        raise ValueError("cannot collate an empty batch")
    if any(w.n_words == 0 for w in windows):
        raise ValueError("a window without words cannot be collated")
    n_ids = max(len(w) for w in windows)
    n_words = max(w.n_words for w in windows)
    id_counts = np.array([len(w) for w in windows], dtype=np.int64)[:, None]
    word_counts = np.array([w.n_words for w in windows], dtype=np.int64)[:, None]
    has_labels = all(w.labels is not None for w in windows)
    input_ids = np.full((len(windows), n_ids), pad_id, dtype=np.int64)
    word_index = np.zeros((len(windows), n_words), dtype=np.int64)
    labels = np.zeros((len(windows), n_words), dtype=np.int64)
    for row, window in enumerate(windows):
        input_ids[row, : len(window)] = window.input_ids
        word_index[row, : window.n_words] = window.first_positions
        if has_labels:
            labels[row, : window.n_words] = window.labels
    batch = {
        "input_ids": torch.from_numpy(input_ids),
        "attention_mask": torch.from_numpy((np.arange(n_ids) < id_counts).astype(np.int64)),
        "word_index": torch.from_numpy(word_index),
        "word_mask": torch.from_numpy(np.arange(n_words) < word_counts),
        "sentence_start": torch.tensor([w.start == 0 for w in windows], dtype=torch.bool),
    }
    if has_labels:
        batch["labels"] = torch.from_numpy(labels)
    return batch


def sorted_chunks(lengths: Sequence[int], batch_size: int, max_tokens: int | None = None) -> list[list[int]]:
    """Indices by increasing length, cut into forward passes of at most `batch_size` items and, with
    `max_tokens`, at most `max_tokens` padded positions (items x the longest; a longer item goes alone)."""
    chunks: list[list[int]] = []
    current: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda k: lengths[k]):
        full = len(current) >= max(1, batch_size)
        if current and (full or (max_tokens is not None and (len(current) + 1) * lengths[i] > max_tokens)):
            chunks.append(current)
            current = []
        current.append(i)
    return chunks + ([current] if current else [])


def gather_words(hidden: torch.Tensor, word_index: torch.Tensor) -> torch.Tensor:
    """First-sub-word vectors: [batch, n_ids, dim] x [batch, n_words] -> [batch, n_words, dim]."""
    index = word_index.unsqueeze(-1).expand(-1, -1, hidden.size(-1))
    return hidden.gather(1, index)


def reassemble(
    windows: Sequence[Window], predictions: Sequence[Sequence[Any]], n_words: Sequence[int]
) -> list[list[Any]]:
    """Per-sentence lists of one prediction per word, in order, each taken from the window where the word
    is most central (`Window.context`; ties: the earlier window)."""
    if len(windows) != len(predictions):
        raise ValueError("one prediction list per window is required")
    out: list[list[Any]] = [[None] * n for n in n_words]
    best: list[list[float]] = [[-1.0] * n for n in n_words]
    for window, pred in zip(windows, predictions):
        if len(pred) != window.n_words:
            raise ValueError(f"window of {window.n_words} words got {len(pred)} predictions")
        row, scores = out[window.sentence], best[window.sentence]
        for k, value in enumerate(pred):
            context = window.context(k)
            if context > scores[window.start + k]:
                row[window.start + k], scores[window.start + k] = value, context
    for s, scores in enumerate(best):
        if any(score < 0 for score in scores):
            raise ValueError(f"sentence {s}: some words got no prediction")
    return out


def stitch(windows: Sequence[Window], scores: Sequence[torch.Tensor], n_words: Sequence[int]) -> list[torch.Tensor]:
    """Per-sentence word scores [n_words, ...] from per-window ones [window.n_words, ...], each word's row
    taken from the window where it is most central (as `reassemble`); empty sentences get 0 rows."""
    if not scores:
        return [torch.zeros(0) for _ in n_words]
    owners = reassemble(windows, [[(i, k) for k in range(w.n_words)] for i, w in enumerate(windows)], n_words)
    out = []
    for sentence in owners:
        pieces, k = [], 0
        while k < len(sentence):
            window, first = sentence[k]
            run = 1
            while k + run < len(sentence) and sentence[k + run] == (window, first + run):
                run += 1
            pieces.append(scores[window][first: first + run])
            k += run
        out.append(torch.cat(pieces) if pieces else scores[0][:0])
    return out


def window_report(windows: Sequence[Window], tags: Sequence[Sequence[str]]) -> dict[str, int]:
    """How windowing met the sentences (`tags`: one IOB2 sequence per sentence, gold or predicted):
    sentences, windows, sentences cut into several windows, entities, entities that cross a window edge
    (partly inside one of their sentence's windows), and entities that no single window holds whole."""
    per_sentence: dict[int, list[tuple[int, int]]] = {}
    for window in windows:
        per_sentence.setdefault(window.sentence, []).append((window.start, window.start + window.n_words))
    entities = crossing = unheld = 0
    for s, sentence_tags in enumerate(tags):
        spans = per_sentence.get(s, [])
        positions = [(i, i + 1) for i in range(len(sentence_tags))]
        for entity in decode_tags(f"sentence {s}", "", positions, sentence_tags):
            a, b = entity.start, entity.end
            entities += 1
            crossing += any(a < e and b > w and not (w <= a and b <= e) for w, e in spans)
            unheld += not any(w <= a and b <= e for w, e in spans)
    return {
        "sentences": len(tags),
        "windows": len(windows),
        "sentences_windowed": sum(len(v) > 1 for v in per_sentence.values()),
        "entities": entities,
        "entities_crossing_window_edge": crossing,
        "entities_in_no_single_window": unheld,
    }
