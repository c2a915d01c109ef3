"""Corpus size presets: how many letters, how long they are, and how many long lines they carry.

`default` is the embedded corpus (25-50 sentences a letter, as always). `n2c2` matches the n2c2-2018
track 2 corpus of the study: 303 training and 202 test letters, about 41,500 and 30,600 sentences (as the
pipeline splits them), about 75% of them all-`O`, with the long lines of real discharge letters: lab
dumps on one line (all-`O`, some over 512 tokens) and admission medication lists on one line (many
entities in one sentence, over 180 tokens), so truncation and windowing really happen.

Measured (seed 13, pipeline counts): n2c2 gives 40,914 training and 30,842 test sentences, 75.1% and
75.2% all-O, 142/91 sentences over 180 tokens and 37/19 over 512 tokens.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LetterShape:
    """How one split's letters are drawn."""

    sentences: tuple[int, int] = (25, 50)  # target sentences per letter (uniform), before balancing
    plain_target: tuple[float, float] = (0.71, 0.79)  # target all-O fraction per letter (uniform)
    lab_dump: float = 0.0  # chance of a one-line lab dump (all-O) in the results section
    lab_blocks: tuple[int, int] = (6, 24)  # lab panels in one dump (about 35 tokens each)
    inline_list: float = 0.0  # chance that the admission medication list is written on one line
    list_items: tuple[int, int] = (12, 30)  # medications in a one-line list, at least
    max_added_narratives: int = 12  # balancing: entity sentences added at most
    max_added_fillers: int = 60  # balancing: plain filler sentences added at most


@dataclass(frozen=True)
class Preset:
    train_docs: int
    test_docs: int
    train: LetterShape
    test: LetterShape

    def shape(self, split: str) -> LetterShape:
        return self.train if split == "train" else self.test


# Balancing stops within 0.02 of a letter's target, from below: aim a little higher for ~75% overall.
_N2C2_LONG = {"plain_target": (0.73, 0.81), "lab_dump": 0.35, "inline_list": 0.35, "max_added_narratives": 60,
              "max_added_fillers": 300}
PRESETS: dict[str, Preset] = {
    "default": Preset(100, 40, LetterShape(), LetterShape()),
    "n2c2": Preset(
        303,
        202,
        LetterShape(sentences=(110, 201), **_N2C2_LONG),
        LetterShape(sentences=(124, 232), **_N2C2_LONG),
    ),
}
