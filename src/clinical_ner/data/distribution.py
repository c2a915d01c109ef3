"""Label and sentence distributions per regime (full / downsampled) and split, as tidy tables and a figure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from clinical_ner.data.jsonl import read_sentences
from clinical_ner.data.records import Sentence
from clinical_ner.errors import InputError
from clinical_ner.labels import OUTSIDE, bio_labels

Regimes = Mapping[str, Mapping[str, Sequence[Sentence]]]
"""regime -> split -> sentences, e.g. `{"full": {"train": [...], "val": [...]}, "downsampled": {...}}`."""

SPLIT_ORDER = ("train", "val", "dev", "test")


def read_regimes(files: Iterable[tuple[str, str, str | Path]]) -> dict[str, dict[str, list[Sentence]]]:
    """Read `(regime, split, path)` sentence files into regime -> split -> sentences."""
    data: dict[str, dict[str, list[Sentence]]] = {}
    for regime, split, path in files:
        data.setdefault(regime, {})[split] = read_sentences(path)
    return data


def load_regimes(
    data_dir: str | Path,
    regimes: Sequence[str] = ("full", "downsampled"),
    splits: Sequence[str] = ("train", "val", "test"),
) -> dict[str, dict[str, list[Sentence]]]:
    """Read `{data_dir}/{regime}/{split}.jsonl` for every file that exists (at least one must)."""
    files = [(regime, split, Path(data_dir) / regime / f"{split}.jsonl") for regime in regimes for split in splits]
    data = read_regimes(file for file in files if file[2].is_file())
    if not data:
        raise InputError(data_dir, f"no {{{','.join(regimes)}}}/{{{','.join(splits)}}}.jsonl files")
    return data


def _label_order(observed: set[str], types: Sequence[str] | None) -> list[str]:
    """`O`, then `B-`/`I-` of each type in the order of `types` (the label map's), then any other tag seen;
    without `types`, the study's labels (`labels.bio_labels()`)."""
    known = bio_labels(types) if types is not None else bio_labels()
    return known + sorted(observed - set(known))


def label_counts(data: Regimes, types: Sequence[str] | None = None) -> pd.DataFrame:
    """Tidy BIO tag counts: columns regime, split, label, count, fraction (of the split's tokens).

    Every label of `types` (default: the study's types) appears in their order (count 0 when absent), then
    any other tags seen.
    """
    counters = {
        (regime, split): Counter(tag for sentence in sentences for tag in sentence.tags)
        for regime, splits in data.items()
        for split, sentences in splits.items()
    }
    labels = _label_order({t for c in counters.values() for t in c}, types)
    rows = []
    for (regime, split), counter in counters.items():
        total = sum(counter.values())
        for label in labels:
            rows.append((regime, split, label, counter[label], counter[label] / total if total else 0.0))
    return pd.DataFrame(rows, columns=["regime", "split", "label", "count", "fraction"]).astype({"count": "int64"})


def sentence_counts(data: Regimes) -> pd.DataFrame:
    """Columns regime, split, sentences, plain (all-O sentences), plain_fraction."""
    rows = []
    for regime, splits in data.items():
        for split, sentences in splits.items():
            plain = sum(s.is_plain for s in sentences)
            rows.append((regime, split, len(sentences), plain, plain / len(sentences) if sentences else 0.0))
    return pd.DataFrame(rows, columns=["regime", "split", "sentences", "plain", "plain_fraction"])


def _ordered(values: Sequence[str], order: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(values))
    return sorted(unique, key=lambda v: (order.index(v) if v in order else len(order), v))


def plot_label_distribution(
    counts: pd.DataFrame, paths: Sequence[str | Path], include_outside: bool = True, log_scale: bool = True
) -> list[Path]:
    """Grouped bars of BIO label counts, before vs after down-sampling (when both are there), one panel per split.

    Down-sampling removes only all-O sentences, so entity-tag bars match across regimes and the `O`
    bars show the reduction; the log scale keeps `O` and rare labels readable in one panel.
    Saved to every path in `paths` (format from the suffix, e.g. `.png` and `.pdf`).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame = counts if include_outside else counts[counts["label"] != OUTSIDE]
    splits = _ordered(list(frame["split"]), SPLIT_ORDER)
    regimes = _ordered(list(frame["regime"]), ("full", "downsampled"))
    labels = list(dict.fromkeys(frame["label"]))
    width = 0.8 / max(len(regimes), 1)
    fig, axes = plt.subplots(
        len(splits), 1, figsize=(max(8.0, 0.45 * len(labels) * max(len(regimes), 1) + 2), 3.2 * len(splits)),
        squeeze=False, sharex=True,
    )
    for ax, split in zip(axes[:, 0], splits):
        for k, regime in enumerate(regimes):
            part = frame[(frame["split"] == split) & (frame["regime"] == regime)].set_index("label")
            heights = [int(part["count"].get(label, 0)) for label in labels]
            positions = [i + (k - (len(regimes) - 1) / 2) * width for i in range(len(labels))]
            ax.bar(positions, heights, width=width, label=regime)
        ax.set_title(split)
        ax.set_ylabel("tokens")
        if log_scale:
            ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8)
    bottom = axes[-1, 0]
    bottom.set_xticks(range(len(labels)))
    bottom.set_xticklabels(labels, rotation=45, ha="right", fontsize=9)
    fig.suptitle("BIO label frequencies before and after down-sampling" if len(regimes) > 1
                 else f"BIO label frequencies ({regimes[0]} training data)")
    fig.tight_layout()
    written = []
    for path in paths:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=150)
        written.append(path)
    plt.close(fig)
    return written


def write_distribution(
    data: Regimes,
    counts_csv: str | Path,
    sentences_csv: str | Path,
    figure_paths: Sequence[str | Path] = (),
    types: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write the label-count CSV, the sentence-count CSV and (if paths are given) the figure, with the
    labels of `types` in their order (see `label_counts`)."""
    counts, sentences = label_counts(data, types), sentence_counts(data)
    for frame, path in ((counts, counts_csv), (sentences, sentences_csv)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
    if figure_paths:
        plot_label_distribution(counts, figure_paths)
    return counts, sentences
