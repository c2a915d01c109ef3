"""Seeded document-level train/validation split (the test set is never split)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from clinical_ner.data.records import Sentence


def split_documents(
    doc_ids: Iterable[str], val_fraction: float = 0.1, seed: int = 0
) -> tuple[list[str], list[str]]:
    """Sort ids, shuffle with `random.Random(seed)`, take `round(n * val_fraction)` as validation.

    At least one id goes to each side when n >= 2 (n = 1: all train). Python's `round` is used
    (half to even): 303 ids at 0.1 give 30 validation, 273 training. Both lists come back sorted.
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    ids = sorted(doc_ids)
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate document ids")
    n = len(ids)
    if n < 2:
        return ids, []
    n_val = min(max(round(n * val_fraction), 1), n - 1)
    shuffled = list(ids)
    random.Random(seed).shuffle(shuffled)
    return sorted(shuffled[n_val:]), sorted(shuffled[:n_val])


def partition_sentences(
    sentences: Iterable[Sentence], train_ids: Sequence[str], val_ids: Sequence[str]
) -> tuple[list[Sentence], list[Sentence]]:
    """Sentences of the training and validation documents, order kept; unknown doc ids are an error."""
    train, val = set(train_ids), set(val_ids)
    if train & val:
        raise ValueError(f"documents in both train and val: {sorted(train & val)[:5]}")
    train_sentences: list[Sentence] = []
    val_sentences: list[Sentence] = []
    for sentence in sentences:
        if sentence.doc_id in train:
            train_sentences.append(sentence)
        elif sentence.doc_id in val:
            val_sentences.append(sentence)
        else:
            raise ValueError(f"sentence {sentence.index} of document {sentence.doc_id!r} is in neither split")
    return train_sentences, val_sentences
