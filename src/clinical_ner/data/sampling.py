"""Down-sampling of all-`O` sentences: to a target share of the data, or each kept with a probability."""

from __future__ import annotations

import random
from collections.abc import Sequence

from clinical_ner.data.records import Sentence


def plain_fraction(sentences: Sequence[Sentence]) -> float:
    """Share of sentences whose tags are all `O` (0.0 for no sentences)."""
    return sum(s.is_plain for s in sentences) / len(sentences) if sentences else 0.0


def downsample(sentences: Sequence[Sentence], target_plain_fraction: float = 0.2, seed: int = 0) -> list[Sentence]:
    """Keep every sentence with an entity and k seeded-random all-`O` ones, in the original order.

    k = min(n_plain, round(f * n_entity / (1 - f))), so all-O sentences make up about f of the result
    (fewer when there are not enough of them).
    """
    f = target_plain_fraction
    if not 0 <= f < 1:
        raise ValueError(f"target_plain_fraction must be in [0, 1), got {f}")
    plain = [i for i, s in enumerate(sentences) if s.is_plain]
    n_entity = len(sentences) - len(plain)
    k = min(len(plain), round(f * n_entity / (1 - f)))
    chosen = set(random.Random(seed).sample(plain, k))
    return [s for i, s in enumerate(sentences) if not s.is_plain or i in chosen]


def keep_plain(sentences: Sequence[Sentence], probability: float, seed: int = 0) -> list[Sentence]:
    """Keep every sentence with an entity and each all-`O` one with `probability` (one seeded draw per
    all-O sentence, in order): the study's down-sampling (0.08 there, unseeded), order kept."""
    if not 0 <= probability <= 1:
        raise ValueError(f"keep probability must be in [0, 1], got {probability}")
    rng = random.Random(seed)
    return [s for s in sentences if not s.is_plain or rng.random() < probability]
