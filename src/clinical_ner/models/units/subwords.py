"""Sub-word labelling, as in the study's notebooks (``units: subword``).

Every sub-word of a sentence is a labelled unit: a word's first piece carries the word's tag, its
continuation pieces carry the tag's continuation (``B-X`` -> ``I-X``; ``I-X`` and ``O`` stay). A sentence
is one sequence of at most `max_subwords` pieces WITHOUT special tokens (no ``[CLS]``/``[SEP]``): the
pieces beyond are cut off, counted, and neither trained on nor scored. Word-level predictions (for BRAT
output) are the predictions of each word's first piece; a word cut off entirely is predicted ``O``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clinical_ner.models.units.alignment import Window, subwords_per_word

MAX_SUBWORDS = 180
UNITS = ("word", "subword")  # what carries a label: each word's first sub-word, or every sub-word (the study)


def continuation(tag: str) -> str:
    """The tag of a word's continuation pieces: ``B-X`` -> ``I-X``, anything else unchanged."""
    return "I-" + tag[2:] if tag.startswith("B-") else tag


def continuation_ids(labels: Sequence[str]) -> dict[int, int]:
    """Label id -> id of its continuation tag (only the ``B-X`` whose ``I-X`` is in `labels` change)."""
    index = {label: i for i, label in enumerate(labels)}
    return {i: index.get(continuation(label), i) for i, label in enumerate(labels)}


def expand(word_values: Sequence[Any], pieces: Sequence[Sequence[int]], follow: Mapping[Any, Any]) -> list[Any]:
    """One value per piece: the word's value on its first piece, ``follow[value]`` on the others."""
    out: list[Any] = []
    for value, word in zip(word_values, pieces):
        out.append(value)
        out.extend([follow.get(value, value)] * (len(word) - 1))
    return out


def subword_windows(
    tokenizer: Any,
    sentences: Sequence[Sequence[str]],
    max_subwords: int = MAX_SUBWORDS,
    label_ids: Sequence[Sequence[int]] | None = None,
    follow: Mapping[int, int] | None = None,
) -> list[Window]:
    """One window per non-empty sentence: its first `max_subwords` pieces, each one a unit, no special
    tokens; with `label_ids` (one per word), one label per piece (`follow` maps a word's label id to its
    continuation pieces' id, see `continuation_ids`)."""
    if max_subwords < 1:
        raise ValueError(f"max_subwords must be at least 1, got {max_subwords}")
    windows = []
    for s, pieces in enumerate(subwords_per_word(tokenizer, sentences)):
        ids = [i for word in pieces for i in word][:max_subwords]
        if not ids:
            continue
        labels = None
        if label_ids is not None:
            if len(label_ids[s]) != len(pieces):
                raise ValueError(f"sentence {s}: {len(pieces)} words but {len(label_ids[s])} labels")
            labels = expand(label_ids[s], pieces, follow or {})[:max_subwords]
        windows.append(Window(s, 0, ids, list(range(len(ids))), labels, last=True))
    return windows


def subword_rows(
    tokenizer: Any, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]] | None = None,
    max_subwords: int = MAX_SUBWORDS,
) -> list[dict[str, Any]]:
    """Per sentence: ``subwords`` (the kept pieces as strings), ``subword_tags`` (with `tags`) and
    ``subwords_truncated`` (pieces cut off)."""
    rows = []
    for s, pieces in enumerate(subwords_per_word(tokenizer, sentences)):
        flat = [i for word in pieces for i in word]
        row: dict[str, Any] = {
            "subwords": tokenizer.convert_ids_to_tokens(flat[:max_subwords]),
            "subwords_truncated": max(0, len(flat) - max_subwords),
        }
        if tags is not None:
            row["subword_tags"] = expand(tags[s], pieces, {t: continuation(t) for t in tags[s]})[:max_subwords]
        rows.append(row)
    return rows


def word_predictions(
    tokenizer: Any, sentences: Sequence[Sequence[str]], unit_predictions: Sequence[Sequence[Any]], outside: Any,
) -> list[list[Any]]:
    """Per word, the prediction of its first piece (`outside` for a word whose pieces were all cut off)."""
    out = []
    for pieces, units in zip(subwords_per_word(tokenizer, sentences), unit_predictions):
        row, position = [], 0
        for word in pieces:
            row.append(units[position] if position < len(units) else outside)
            position += len(word)
        out.append(row)
    return out


def truncation_report(unit_rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Sub-word units: sentences, kept pieces, pieces cut off and sentences that lost some."""
    return {
        "sentences": len(unit_rows),
        "subwords": sum(len(r["subwords"]) for r in unit_rows),
        "subwords_truncated": sum(r["subwords_truncated"] for r in unit_rows),
        "sentences_truncated": sum(r["subwords_truncated"] > 0 for r in unit_rows),
    }
