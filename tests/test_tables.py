"""Tables I-IV, comparison tables and the CSV/Markdown/LaTeX writer."""

from __future__ import annotations

import pandas as pd
import pytest

from clinical_ner.data.records import Document, Entity
from clinical_ner.evaluation import run_files as evaluation
from clinical_ner.evaluation import tables
from clinical_ner.evaluation.spans import score_documents
from clinical_ner.labels import ENTITY_TYPES


def rows(gold, pred):
    return [{"doc_id": "d", "sent": i, "tokens": ["w"] * len(g), "offsets": [[k, k + 1] for k in range(len(g))],
             "tags": g, "pred": p} for i, (g, p) in enumerate(zip(gold, pred))]


GOLD = [["B-Drug", "I-Drug", "O", "B-Strength"], ["O", "B-Route", "O", "B-ADE"]]
PREDS = {
    ("bert-apt", "full"): [["B-Drug", "I-Drug", "O", "B-Strength"], ["O", "B-Route", "O", "B-ADE"]],
    ("bert-apt", "downsampled"): [["B-Drug", "O", "O", "B-Strength"], ["O", "B-Route", "O", "O"]],
    ("distil-crf", "full"): [["B-Drug", "O", "O", "B-Strength"], ["O", "B-Drug", "O", "B-Reason"]],
    ("distil-crf", "downsampled"): [["O", "O", "O", "B-Strength"], ["O", "O", "O", "O"]],
}


@pytest.fixture
def evaluations():
    return {key: evaluation.evaluate_rows(rows(GOLD, pred), ENTITY_TYPES) for key, pred in PREDS.items()}


def test_parameter_table_groups_by_head_relative_to_the_reference_with_the_same_head():
    counts = {("bert", "apt"): 100, ("small", "apt"): 60, ("bert", "crf"): 200, ("small", "crf"): 250}
    names = {key: f"{key[0]}-{key[1]}" for key in counts}
    table = tables.parameter_table(counts, names, "bert")
    assert table["model"].tolist() == ["bert-crf", "small-crf", "bert-apt", "small-apt"]
    assert table["parameters"].tolist() == [200, 250, 100, 60]
    assert table["change_percent"].tolist() == pytest.approx([0.0, 25.0, 0.0, -40.0])
    with pytest.raises(ValueError, match="roberta"):
        tables.parameter_table(counts, names, "roberta")


def test_write_table_marks_best(tmp_path):
    df = pd.DataFrame({"model": ["a_model", "b", "c"], "f1": [0.5, 0.91234, 0.7], "loss": [0.3, 0.2, 0.1]})
    paths = tables.write_table(df, tmp_path / "t" / "table2", "Macro & co", ["f1"])
    assert [p.name for p in paths] == ["table2.csv", "table2.md", "table2.tex"]
    assert pd.read_csv(paths[0])["f1"].tolist() == [0.5, 0.91234, 0.7]
    md = paths[1].read_text()
    assert "| b | **0.9123** | 0.2000 |" in md
    assert md.count("**") == 2
    assert "Table: Macro & co" in md
    tex = paths[2].read_text()
    assert r"b & \textbf{0.9123} & 0.2000 \\" in tex
    assert tex.count(r"\textbf") == 1
    assert r"a\_model" in tex and r"\caption{Macro \& co}" in tex and r"\label{tab:table2}" in tex
    assert r"\begin{tabular}{lrr}" in tex


def test_write_table_lower_is_better_and_ties(tmp_path):
    df = pd.DataFrame({"model": ["a", "b", "c"], "loss": [0.1, 0.2, 0.1], "f1": [0.4, 0.6, 0.6]})
    md = tables.write_table(df, tmp_path / "lo", "loss", ["loss"], higher_is_better=False)[1].read_text()
    assert "| a | **0.1000** |" in md and "| c | **0.1000** |" in md and "| b | 0.2000 |" in md
    tex = tables.write_table(df, tmp_path / "hi", "f1", ["f1"])[2].read_text()
    assert tex.count(r"\textbf{0.6000}") == 2
    with pytest.raises(ValueError, match="nope"):
        tables.write_table(df, tmp_path / "x", "x", ["nope"])


def test_results_tables(evaluations, tmp_path):
    results = tables.results_from_frames(evaluations)
    assert list(results.columns) == list(tables.RESULT_COLUMNS)
    table2 = tables.macro_table(results)
    assert table2["model"].tolist() == ["bert-apt", "distil-crf"]
    assert table2.loc[0, "f1"] == pytest.approx(evaluations[("bert-apt", "full")]["bio_strict"].loc["macro avg", "f1"])
    table3 = tables.weighted_table(results, regime="downsampled")
    expected = evaluations[("distil-crf", "downsampled")]["bio_strict"].loc["weighted avg", "precision"]
    assert table3.set_index("model").loc["distil-crf", "precision"] == pytest.approx(expected)
    comparison = tables.regime_table(results)
    assert list(comparison.columns) == ["model", "full", "downsampled", "difference"]
    row = comparison.set_index("model").loc["bert-apt"]
    assert row["difference"] == pytest.approx(row["downsampled"] - row["full"])
    assert row["full"] == pytest.approx(table2.loc[0, "f1"])

    # the same numbers come back from the files on disk
    for (model, regime), frames in evaluations.items():
        evaluation.write_evaluation(frames, tmp_path / "eval" / model / regime)
    loaded = tables.load_results(tmp_path / "eval")
    assert len(loaded) == len(results)
    merged = loaded.merge(results, on=["model", "regime", "view", "average"], suffixes=("_disk", "_mem"))
    assert merged["f1_disk"].tolist() == pytest.approx(merged["f1_mem"].tolist())

    disk_ablations = tables.load_frames(tmp_path / "eval", "ablations")
    table4 = tables.ablation_table(disk_ablations)
    assert list(table4.columns) == ["model", "ablation", "macro_f1", "micro_f1", "weighted_f1"]
    assert table4["ablation"].tolist()[:5] == ["all", "no_O", "no_ADE_Reason", "no_O_ADE_Reason", "merge_ADE_into_Reason"]
    assert len(table4) == 10
    bert = table4.set_index(["model", "ablation"]).loc[("bert-apt", "no_O")]
    assert bert.tolist() == pytest.approx([1.0 / 9 * 4, 1.0, 1.0])  # perfect on 4 of 9 types present
    full = tables.ablation_table(tables.stack_frames(evaluations, "ablations"), metrics=("precision", "recall", "f1"))
    assert full.columns[2:5].tolist() == ["macro_precision", "macro_recall", "macro_f1"]
    assert len(full.columns) == 11


def test_span_table():
    gold = [Document("d", "", [Entity("T1", "Drug", ((0, 5),)), Entity("T2", "Route", ((6, 9),))])]
    preds = {
        ("m1", "full"): [Document("d", "", [Entity("T1", "Drug", ((0, 5),)), Entity("T2", "Route", ((6, 8),))])],
        ("m2", "full"): [Document("d", "", [Entity("T1", "Drug", ((0, 4),))])],
    }
    evaluations = {key: {"spans": score_documents(gold, docs, ENTITY_TYPES)} for key, docs in preds.items()}
    spans = tables.stack_frames(evaluations, "spans")
    table = tables.span_table(spans).set_index("model")
    assert table.loc["m1"].tolist() == pytest.approx([0.5, 1.0])
    assert table.loc["m2"].tolist() == pytest.approx([0.0, 2 / 3])
    per_type = tables.span_table(spans, per_type=True).set_index(["model", "label"])
    assert per_type.loc[("m1", "Route")].tolist() == pytest.approx([0.0, 1.0])
    assert len(per_type) == 2 * 9


def test_span_prf_table_from_n2c2_frames():
    from clinical_ner.evaluation.n2c2 import score_documents_n2c2

    gold = [Document("d", "", [Entity("T1", "Drug", ((0, 5),)), Entity("T2", "Route", ((6, 9),))]),
            Document("e", "", [Entity("T1", "Drug", ((0, 5),))])]
    pred = [Document("d", "", [Entity("T1", "Drug", ((0, 5),)), Entity("T2", "Route", ((6, 8),))])]
    evaluations = {("m1", "full"): {"spans_official_semantics": score_documents_n2c2(gold, pred, ["Drug", "Route"])}}
    table = tables.span_prf_table(tables.stack_frames(evaluations, "spans_official_semantics"))
    assert table.columns.tolist() == [
        "model", "strict_precision", "strict_recall", "strict_f1", "lenient_precision", "lenient_recall",
        "lenient_f1", "strict_macro_f1", "lenient_macro_f1",
    ]
    m1 = table.set_index("model").loc["m1"]
    # strict: TP 1 FP 1 FN 2; lenient: TP 2 FP 0 FN 1; macro over documents d and e (e has no prediction)
    assert m1.tolist() == pytest.approx([0.5, 1 / 3, 0.4, 1.0, 2 / 3, 0.8, 0.25, 0.5])
    with pytest.raises(ValueError, match="downsampled"):
        tables.span_prf_table(tables.stack_frames(evaluations, "spans_official_semantics"), "downsampled")
