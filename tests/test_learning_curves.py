"""Learning-curve table, crossing points and mean ± sd over seeds."""

from __future__ import annotations

import pandas as pd
import pytest

from clinical_ner.evaluation.learning_curves import crossing_points, curve_table
from clinical_ner.evaluation.seeds import aggregate_seeds, leading_number
from clinical_ner.evaluation.tables import best_mask


def runs(scores: dict[str, list[float]]) -> pd.DataFrame:
    """Two seeds (+-0.01 around the score) for each model at sizes 100, 200, 400 sentences."""
    rows = []
    for model, values in scores.items():
        for k, (fraction, value) in enumerate(zip((0.25, 0.5, 1.0), values)):
            for seed, delta in ((1, -0.01), (2, 0.01)):
                rows.append({"model": model, "regime": "full", "fraction": fraction, "seed": seed,
                             "train_documents": 10 * 2**k, "train_sentences": 100 * 2**k,
                             "bio_macro_f1": value + delta, "span_strict_f1": value + delta})
    return pd.DataFrame(rows)


def test_curve_table_means_and_sds():
    table = curve_table(runs({"bert": [0.5, 0.6, 0.7]}))
    assert table["bio_macro_f1"].tolist() == pytest.approx([0.5, 0.6, 0.7])
    assert table["bio_macro_f1_sd"].tolist() == pytest.approx([0.01414] * 3, abs=1e-4)
    assert (table["n_seeds"] == 2).all() and table["train_sentences"].tolist() == [100, 200, 400]


def test_crossing_point_found_never_and_always():
    crossing = crossing_points(curve_table(runs({"bert": [0.6, 0.6, 0.6], "scratch": [0.3, 0.6, 0.7]})), ["scratch"])
    assert crossing["crossing_size"].tolist() == [200, 200]
    assert "stop scoring higher at 200" in crossing["statement"][0]
    always = crossing_points(curve_table(runs({"bert": [0.6, 0.7, 0.8], "scratch": [0.3, 0.4, 0.5]})), ["scratch"])
    assert always["crossing_size"].isna().all() and "at every size" in always["statement"][0]
    never = crossing_points(curve_table(runs({"bert": [0.2, 0.3, 0.4], "scratch": [0.3, 0.4, 0.5]})), ["scratch"])
    assert "never" in never["statement"][0]
    alone = crossing_points(curve_table(runs({"bert": [0.2, 0.3, 0.4]})), ["scratch"])
    assert "needs both" in alone["statement"][0]


def test_crossing_statement_names_the_sizes_when_the_lead_is_not_kept_from_the_start():
    late = crossing_points(curve_table(runs({"bert": [0.2, 0.5, 0.8], "scratch": [0.4, 0.6, 0.7]})), ["scratch"])
    assert late["crossing_size"].isna().all()
    assert late["statement"][0] == "pre-trained models score higher at 400 training sentences and not at 100, 200"
    assert "every size" not in late["statement"][0]
    mixed = crossing_points(curve_table(runs({"bert": [0.2, 0.7, 0.5], "scratch": [0.4, 0.6, 0.7]})), ["scratch"])
    assert mixed["crossing_size"].tolist() == [400, 400]
    assert mixed["statement"][0] == ("pre-trained models stop scoring higher at 400 training sentences "
                                     "(below it they lead at 200, not at 100)")


def test_stand_ins_take_no_part_in_the_crossing():
    table = curve_table(runs({"stand_in": [0.9, 0.9, 0.9], "minilm": [0.6, 0.5, 0.4], "scratch": [0.3, 0.5, 0.7]}))
    crossing = crossing_points(table, ["scratch"], pretrained=["minilm"])
    assert crossing["crossing_size"].tolist() == [200, 200] and crossing["advantage_smallest"][0] == pytest.approx(0.3)
    only_stand_ins = crossing_points(table, ["scratch"], pretrained=[])
    assert "needs both" in only_stand_ins["statement"][0]


def test_aggregate_seeds_display_and_long_rows():
    per_seed = {
        1: pd.DataFrame({"model": ["a", "b"], "f1": [0.5, 0.7]}),
        2: pd.DataFrame({"model": ["a", "b"], "f1": [0.7, 0.7]}),
    }
    display, long = aggregate_seeds(per_seed, ["model"])
    assert display["f1"].tolist() == ["0.6000 ± 0.1414", "0.7000 ± 0.0000"]
    assert long["seed"].tolist() == ["1", "1", "2", "2", "mean", "mean", "sd", "sd"]
    assert best_mask(display, ["f1"])["f1"].tolist() == [False, True]
    assert leading_number(display["f1"]).tolist() == [0.6, 0.7]
    single, _ = aggregate_seeds({1: per_seed[1]}, ["model"])
    assert single["f1"].tolist() == [0.5, 0.7]
