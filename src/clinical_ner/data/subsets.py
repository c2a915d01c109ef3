"""Nested, seeded subsets of the training documents for learning curves (validation and test unchanged).

The training documents are sorted, shuffled once with ``random.Random(seed)``, and each fraction keeps the
first ``max(1, round(n * fraction))`` of that order, so a smaller fraction's documents are always a subset
of a larger one's, whatever the fractions.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from clinical_ner.data.records import Sentence


def fraction_id(fraction: float) -> str:
    """The fraction as written in paths: ``0.5`` -> ``0.5``, ``1.0`` -> ``1``."""
    return f"{float(fraction):g}"


def check_fractions(fractions: Sequence[float]) -> list[float]:
    values = [float(f) for f in fractions]
    if not values or any(not 0 < f <= 1 for f in values):
        raise ValueError(f"training fractions must be in (0, 1], got {list(fractions)}")
    if len({fraction_id(f) for f in values}) != len(values):
        raise ValueError(f"duplicate training fractions {list(fractions)}")
    return sorted(values)


def nested_subsets(doc_ids: Iterable[str], fractions: Sequence[float], seed: int) -> dict[float, list[str]]:
    """Fraction -> sorted document ids of its subset (nested: smaller fractions are subsets of larger)."""
    ids = sorted(set(doc_ids))
    if not ids:
        raise ValueError("no training documents to subsample")
    order = list(ids)
    random.Random(seed).shuffle(order)
    return {f: sorted(order[: max(1, round(len(ids) * f))]) for f in check_fractions(fractions)}


def subset_sentences(sentences: Iterable[Sentence], doc_ids: Iterable[str]) -> list[Sentence]:
    """The sentences of the given documents, order kept."""
    keep = set(doc_ids)
    return [s for s in sentences if s.doc_id in keep]
