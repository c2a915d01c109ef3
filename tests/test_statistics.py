"""Bootstrap intervals and paired tests over test documents."""

from __future__ import annotations

import random

import numpy as np
import pytest

from clinical_ner.data.records import Document, Entity
from clinical_ner.evaluation.metrics import bio_strict, token_level
from clinical_ner.evaluation.n2c2 import score_documents_n2c2
from clinical_ner.evaluation.statistics import (
    HEADLINE,
    bootstrap,
    count_documents,
    counts_frame,
    headline_scores,
    read_counts,
    resample_weights,
)
from clinical_ner.labels import ENTITY_TYPES

TYPES = ("Drug", "Dosage", "Route")


def corpus(n_docs: int, seed: int = 0) -> list[dict]:
    """Gold rows: each document two sentences of entities (B- then I-) between O tokens."""
    rng = random.Random(seed)
    rows = []
    for d in range(n_docs):
        for s in range(2):
            tags = []
            while len(tags) < 20:
                if rng.random() < 0.3:
                    kind = rng.choice(TYPES)
                    tags += [f"B-{kind}", f"I-{kind}"]
                else:
                    tags.append("O")
            rows.append({"doc_id": f"d{d:03d}", "sent": s, "tokens": ["w"] * len(tags), "tags": tags})
    return rows


def predict(rows: list[dict], error: float, seed: int) -> list[dict]:
    """Copies of the gold rows whose tags are replaced by a random label with probability `error`."""
    rng = random.Random(seed)
    labels = ["O"] + [f"{p}-{t}" for t in TYPES for p in "BI"]
    return [{**row, "pred": [rng.choice(labels) if rng.random() < error else t for t in row["tags"]]} for row in rows]


def spans_of(rows: list[dict], key: str) -> list[Document]:
    """One Document per doc_id with one entity per B- token of `key` (offsets = token positions)."""
    docs: dict[str, list[Entity]] = {}
    for row in rows:
        entities = docs.setdefault(row["doc_id"], [])
        for i, tag in enumerate(row[key]):
            if tag.startswith("B-"):
                start = 100 * row["sent"] + i
                entities.append(Entity(f"T{len(entities) + 1}", tag[2:], ((start, start + 1),)))
    return [Document(doc_id, "x" * 400, entities) for doc_id, entities in sorted(docs.items())]


def counts_for(rows: list[dict]):
    return count_documents(rows, TYPES, spans_of(rows, "tags"), spans_of(rows, "pred"))


def test_point_estimate_is_the_reported_score():
    rows = predict(corpus(12), 0.2, seed=1)
    counts = counts_for(rows)
    scores = {k: float(v[0]) for k, v in headline_scores(counts, np.ones((1, 12))).items()}
    bio, token = bio_strict(rows, TYPES), token_level(rows, TYPES)
    assert scores["bio_macro_f1"] == pytest.approx(bio.loc["macro avg", "f1"])
    assert scores["bio_weighted_f1"] == pytest.approx(bio.loc["weighted avg", "f1"])
    assert scores["token_macro_f1"] == pytest.approx(token.loc["macro avg", "f1"])
    spans = score_documents_n2c2(spans_of(rows, "tags"), spans_of(rows, "pred"), TYPES)
    micro = spans[spans["label"] == "micro avg"].set_index("mode")["f1"]
    assert scores["span_strict_f1"] == pytest.approx(micro["strict"])
    assert scores["span_lenient_f1"] == pytest.approx(micro["lenient"])


def test_resample_weights_are_seeded_draws_of_documents():
    a, b = resample_weights(7, 50, seed=3), resample_weights(7, 50, seed=3)
    assert np.array_equal(a, b)
    assert (a.sum(axis=1) == 7).all()
    assert not np.array_equal(a, resample_weights(7, 50, seed=4))


def test_intervals_contain_the_estimate_and_shrink_with_more_documents():
    widths = []
    for n_docs in (10, 160):
        rows = predict(corpus(n_docs, seed=n_docs), 0.25, seed=2)
        stats = bootstrap({"m": [counts_for(rows)]}, n_resamples=400, seed=0).set_index("metric")
        assert set(stats.index) == set(HEADLINE)
        assert (stats["low"] <= stats["estimate"]).all() and (stats["estimate"] <= stats["high"]).all()
        assert (stats["high"] - stats["low"] > 0).all()
        widths.append(stats["high"] - stats["low"])
    assert (widths[1] < widths[0] / 2).all()


def test_paired_test_identical_and_clearly_better():
    gold = corpus(30, seed=5)
    reference = counts_for(predict(gold, 0.3, seed=1))
    better = counts_for(predict(gold, 0.02, seed=2))
    stats = bootstrap({"ref": [reference], "same": [reference], "better": [better]}, "ref", 1000, seed=0)
    stats = stats.set_index(["model", "metric"])
    assert stats.loc["ref", "p_value"].isna().all()
    assert (stats.loc["same", "p_value"] > 0.99).all()
    assert (stats.loc["same", "difference"] == 0).all()
    assert (~stats.loc["same", "significant"].astype(bool)).all()
    assert (stats.loc["better", "p_value"] < 0.01).all()
    assert (stats.loc["better", "difference"] > 0).all()
    assert stats.loc["better", "significant"].astype(bool).all()


def test_seeds_are_averaged():
    gold = corpus(10)
    one, two = counts_for(predict(gold, 0.1, seed=1)), counts_for(predict(gold, 0.4, seed=2))
    stats = bootstrap({"m": [one, two], "a": [one], "b": [two]}, n_resamples=50).set_index(["model", "metric"])
    mean = (stats.loc[("a", "bio_macro_f1"), "estimate"] + stats.loc[("b", "bio_macro_f1"), "estimate"]) / 2
    assert stats.loc[("m", "bio_macro_f1"), "estimate"] == pytest.approx(mean)
    assert stats.loc[("m", "bio_macro_f1"), "n_seeds"] == 2


def test_runs_on_other_documents_are_refused():
    a = counts_for(predict(corpus(5), 0.1, seed=1))
    b = counts_for(predict(corpus(6), 0.1, seed=1))
    with pytest.raises(ValueError, match="other test documents"):
        bootstrap({"a": [a], "b": [b]})
    with pytest.raises(ValueError, match="reference"):
        bootstrap({"a": [a]}, reference="zzz")


def test_counts_file_round_trip(tmp_path):
    rows = predict(corpus(4), 0.3, seed=1)
    counts = counts_for(rows)
    path = tmp_path / "documents.csv"
    counts_frame(counts, TYPES).to_csv(path, index=False)
    back = read_counts(path, TYPES)
    assert back.doc_ids == counts.doc_ids
    for name in ("bio", "token", "spans"):
        assert np.array_equal(getattr(back, name), getattr(counts, name))


def test_counts_without_spans_and_default_types():
    rows = [{"doc_id": "a", "sent": 0, "tokens": ["x"], "tags": ["B-Drug"], "pred": ["O"]}]
    counts = count_documents(rows, ENTITY_TYPES)
    assert counts.spans is None and counts.bio.shape == (1, 2 * len(ENTITY_TYPES) + 1, 3)
    assert "span_strict_f1" not in headline_scores(counts, np.ones((1, 1)))


def test_forest_plot(tmp_path):
    gold = corpus(8)
    runs = {"ref": [counts_for(predict(gold, 0.3, seed=1))], "other": [counts_for(predict(gold, 0.1, seed=2))]}
    from clinical_ner.evaluation.statistics_figures import plot_forest

    paths = plot_forest(bootstrap(runs, "ref", 100), tmp_path / "forest")
    assert [p.suffix for p in paths] == [".png", ".pdf"] and all(p.stat().st_size > 1000 for p in paths)
    with pytest.raises(ValueError, match="none of the requested metrics"):
        plot_forest(bootstrap(runs, "ref", 10), tmp_path / "x", metrics=("nope",))
