"""Label and sentence distributions: tidy CSVs and the before/after down-sampling figure."""

from __future__ import annotations

import pandas as pd
import pytest

from clinical_ner.data.distribution import label_counts, load_regimes, sentence_counts, write_distribution
from clinical_ner.data.jsonl import write_sentences
from clinical_ner.data.records import Sentence
from clinical_ner.errors import InputError
from clinical_ner.labels import bio_labels


def sentence(index: int, tags: list[str]) -> Sentence:
    return Sentence("d", index, ["x"] * len(tags), [(i, i + 1) for i in range(len(tags))], tags)


def data():
    train = [sentence(0, ["B-Drug", "I-Drug", "O"]), sentence(1, ["O", "O"]), sentence(2, ["O", "O"])]
    val = [sentence(0, ["B-ADE", "O"])]
    return {"full": {"train": train, "val": val}, "downsampled": {"train": train[:2], "val": val}}


def test_label_counts_tidy():
    counts = label_counts(data())
    assert list(counts.columns) == ["regime", "split", "label", "count", "fraction"]
    assert len(counts) == 4 * len(bio_labels())
    full_train = counts[(counts.regime == "full") & (counts.split == "train")].set_index("label")
    assert full_train.loc["O", "count"] == 5 and full_train.loc["B-Drug", "count"] == 1
    assert full_train.loc["B-ADE", "count"] == 0
    assert full_train.loc["O", "fraction"] == pytest.approx(5 / 7)
    assert counts.groupby(["regime", "split"])["fraction"].sum().tolist() == pytest.approx([1.0] * 4)
    down_train = counts[(counts.regime == "downsampled") & (counts.split == "train")].set_index("label")
    assert down_train.loc["O", "count"] == 3


def test_unknown_tags_are_kept_as_extra_labels():
    counts = label_counts({"full": {"train": [sentence(0, ["B-Zeta", "O"])]}})
    assert counts.label.tolist()[-1] == "B-Zeta"


def test_sentence_counts():
    table = sentence_counts(data())
    row = table[(table.regime == "full") & (table.split == "train")].iloc[0]
    assert (row.sentences, row.plain) == (3, 2) and row.plain_fraction == pytest.approx(2 / 3)


def test_write_distribution_csv_and_figure(tmp_path):
    paths = [tmp_path / "fig" / "label_distribution.png", tmp_path / "fig" / "label_distribution.pdf"]
    counts, _ = write_distribution(data(), tmp_path / "counts.csv", tmp_path / "sentences.csv", paths)
    reread = pd.read_csv(tmp_path / "counts.csv")
    assert reread["count"].tolist() == counts["count"].tolist()
    assert pd.read_csv(tmp_path / "sentences.csv").shape == (4, 5)
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths[1].read_bytes()[:5] == b"%PDF-"


def test_load_regimes(tmp_path):
    write_sentences(tmp_path / "full" / "train.jsonl", data()["full"]["train"])
    write_sentences(tmp_path / "downsampled" / "train.jsonl", data()["downsampled"]["train"])
    loaded = load_regimes(tmp_path)
    assert {r: list(s) for r, s in loaded.items()} == {"full": ["train"], "downsampled": ["train"]}
    assert loaded["full"]["train"] == data()["full"]["train"]
    with pytest.raises(InputError):
        load_regimes(tmp_path / "nothing")


def test_label_counts_follow_the_label_map_types_in_their_order():
    counts = label_counts(data(), types=["Drug", "ADE"])
    full_train = counts[(counts.regime == "full") & (counts.split == "train")]
    assert full_train.label.tolist() == ["O", "B-Drug", "I-Drug", "B-ADE", "I-ADE"]
