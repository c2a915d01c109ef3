"""Token metrics, confusion matrices, ablations and the evaluation glue."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import classification_report, confusion_matrix, precision_recall_fscore_support

from clinical_ner.data.jsonl import write_jsonl
from clinical_ner.errors import InputError
from clinical_ner.evaluation import ablations as ab
from clinical_ner.evaluation import metrics
from clinical_ner.evaluation import run_files as evaluation
from clinical_ner.labels import ENTITY_TYPES, bio_labels

# Hand fixture A (7 tokens):
#   gold: B-Drug I-Drug O B-Strength | O B-Route O
#   pred: B-Drug O      O B-Strength | O B-Drug  O
GOLD_A = [["B-Drug", "I-Drug", "O", "B-Strength"], ["O", "B-Route", "O"]]
PRED_A = [["B-Drug", "O", "O", "B-Strength"], ["O", "B-Drug", "O"]]

# Hand fixture B (6 tokens, ADE/Reason):
#   gold: B-ADE    I-ADE    O B-Reason B-Drug O
#   pred: B-Reason I-Reason O B-Reason B-Drug B-ADE
GOLD_B = [["B-ADE", "I-ADE", "O", "B-Reason", "B-Drug", "O"]]
PRED_B = [["B-Reason", "I-Reason", "O", "B-Reason", "B-Drug", "B-ADE"]]


def rows_of(gold, pred):
    return [
        {"doc_id": "d1", "sent": i, "tokens": ["w"] * len(g), "offsets": [[k, k + 1] for k in range(len(g))],
         "tags": g, "pred": p}
        for i, (g, p) in enumerate(zip(gold, pred))
    ]


def random_fixture(seed=7, n_sent=40):
    rng = random.Random(seed)
    labels = bio_labels()
    gold, pred = [], []
    for _ in range(n_sent):
        n = rng.randint(1, 12)
        g = [rng.choice(labels[:9]) for _ in range(n)]  # only a subset occurs in gold
        p = [t if rng.random() < 0.6 else rng.choice(labels) for t in g]
        gold.append(g)
        pred.append(p)
    return gold, pred


# ------------------------------------------------------------------------------------- hand-computed values


def test_bio_strict_hand_values():
    report = metrics.bio_strict(rows_of(GOLD_A, PRED_A), ENTITY_TYPES)
    assert list(report.index) == bio_labels() + ["micro avg", "macro avg", "weighted avg"]
    assert list(report.columns) == ["precision", "recall", "f1", "support"]
    # B-Drug: gold 1, predicted 2, correct 1
    assert report.loc["B-Drug", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.5, 1.0, 2 / 3])
    # I-Drug: gold 1, never predicted
    assert report.loc["I-Drug", ["precision", "recall", "f1", "support"]].tolist() == [0, 0, 0, 1]
    # O: gold 3, predicted 4, correct 3
    assert report.loc["O", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.75, 1.0, 6 / 7])
    assert report.loc["B-Strength", ["precision", "recall", "f1"]].tolist() == pytest.approx([1, 1, 1])
    # absent label: listed with support 0 and zeros
    assert report.loc["I-ADE"].tolist() == [0, 0, 0, 0]
    assert report.loc["micro avg", ["precision", "recall", "f1"]].tolist() == pytest.approx([5 / 7] * 3)
    # macro over all 19 listed labels (absent ones count as 0)
    assert report.loc["macro avg", "precision"] == pytest.approx(2.25 / 19)
    assert report.loc["macro avg", "recall"] == pytest.approx(3 / 19)
    assert report.loc["macro avg", "f1"] == pytest.approx((53 / 21) / 19)
    assert report.loc["weighted avg", "precision"] == pytest.approx(3.75 / 7)
    assert report.loc["weighted avg", "recall"] == pytest.approx(5 / 7)
    assert report.loc["weighted avg", "f1"] == pytest.approx(89 / 147)
    assert report.loc[["micro avg", "macro avg", "weighted avg"], "support"].tolist() == [7, 7, 7]


def test_token_level_hand_values():
    report = metrics.token_level(rows_of(GOLD_A, PRED_A), ENTITY_TYPES)
    assert list(report.index[:10]) == ["O"] + sorted(ENTITY_TYPES)
    assert report.loc["Drug", ["precision", "recall", "f1", "support"]].tolist() == pytest.approx([0.5, 0.5, 0.5, 2])
    assert report.loc["Route", ["precision", "recall", "f1", "support"]].tolist() == [0, 0, 0, 1]
    assert report.loc["micro avg", "f1"] == pytest.approx(5 / 7)
    assert report.loc["macro avg", "f1"] == pytest.approx((0.5 + 6 / 7 + 1) / 10)


def test_micro_f1_equals_accuracy_in_bio_strict_with_o():
    gold, pred = random_fixture()
    report = metrics.bio_strict(rows_of(gold, pred), ENTITY_TYPES)
    acc = metrics.accuracy(gold, pred)
    assert 0 < acc < 1
    for name in ("precision", "recall", "f1"):
        assert report.loc["micro avg", name] == pytest.approx(acc)
    # ...but not once O is dropped from the label list
    no_o = metrics.classification_report_frame(gold, pred, bio_labels()[1:])
    assert no_o.loc["micro avg", "f1"] != pytest.approx(acc)


# ------------------------------------------------------------------------------------------ against sklearn


@pytest.mark.parametrize("label_slice", [slice(None), slice(1, None), slice(3, 12)])
def test_classification_report_matches_sklearn(label_slice):
    gold, pred = random_fixture(seed=11)
    labels = bio_labels()[label_slice]
    ours = metrics.classification_report_frame(gold, pred, labels)
    flat_g, flat_p = metrics.flatten_pairs(gold, pred)
    p, r, f, s = precision_recall_fscore_support(flat_g, flat_p, labels=labels, zero_division=0)
    assert ours.loc[labels, "precision"].to_numpy() == pytest.approx(p)
    assert ours.loc[labels, "recall"].to_numpy() == pytest.approx(r)
    assert ours.loc[labels, "f1"].to_numpy() == pytest.approx(f)
    assert ours.loc[labels, "support"].tolist() == s.tolist()
    for average in ("micro", "macro", "weighted"):
        expected = precision_recall_fscore_support(flat_g, flat_p, labels=labels, average=average, zero_division=0)
        assert ours.loc[f"{average} avg", ["precision", "recall", "f1"]].tolist() == pytest.approx(expected[:3])


def test_macro_f1_is_the_reported_macro_average():
    """Selection (training) and the tables use this one function: the report's macro row, absent labels 0."""
    gold = [["O", "B-Drug", "I-Drug", "O"]]
    labels = bio_labels()
    assert metrics.macro_f1(gold, gold, labels) == pytest.approx(3 / len(labels))
    # all-O: O has P=2/4, R=1 -> F1 2/3; every other label 0
    assert metrics.macro_f1(gold, [["O"] * 4], labels) == pytest.approx((2 / 3) / len(labels))
    # BIO-strict: B/I confusion is an error even with the right type
    assert metrics.macro_f1(gold, [["O", "B-Drug", "B-Drug", "O"]], labels) < metrics.macro_f1(gold, gold, labels)
    gold, pred = random_fixture(seed=5)
    frame = metrics.bio_strict(rows_of(gold, pred), ENTITY_TYPES)
    assert metrics.macro_f1(gold, pred, labels) == frame.loc["macro avg", "f1"]


def test_token_level_matches_sklearn_classification_report():
    gold, pred = random_fixture(seed=3)
    ours = metrics.token_level(rows_of(gold, pred), ENTITY_TYPES)
    labels = ["O"] + sorted(ENTITY_TYPES)
    flat_g = [t.split("-", 1)[-1] for t in sum(gold, [])]
    flat_p = [t.split("-", 1)[-1] for t in sum(pred, [])]
    expected = classification_report(flat_g, flat_p, labels=labels, zero_division=0, output_dict=True)
    for label in labels + ["macro avg", "weighted avg"]:
        assert ours.loc[label, "precision"] == pytest.approx(expected[label]["precision"])
        assert ours.loc[label, "recall"] == pytest.approx(expected[label]["recall"])
        assert ours.loc[label, "f1"] == pytest.approx(expected[label]["f1-score"])
        assert ours.loc[label, "support"] == expected[label]["support"]
    # all labels listed -> sklearn reports accuracy in place of the micro average
    assert ours.loc["micro avg", "f1"] == pytest.approx(expected["accuracy"])


def test_shape_and_label_errors():
    with pytest.raises(ValueError, match="sentence 1"):
        metrics.classification_report_frame([["O"], ["O"]], [["O"], ["O", "O"]], ["O"])
    with pytest.raises(ValueError, match="duplicate"):
        metrics.classification_report_frame([["O"]], [["O"]], ["O", "O"])
    with pytest.raises(ValueError, match="B-Foo"):
        metrics.bio_strict(rows_of([["O"]], [["B-Foo"]]), ENTITY_TYPES)
    bad = rows_of([["O", "O"]], [["O"]])
    with pytest.raises(ValueError, match="'d1'"):
        metrics.bio_strict(bad, ENTITY_TYPES)


# ---------------------------------------------------------------------------------------------- confusion


def test_confusion_hand_values_and_normalised():
    frame = metrics.confusion_frame(GOLD_A, PRED_A, ["O", "B-Drug", "I-Drug", "B-Strength", "B-Route"])
    assert frame.index.name == "gold" and frame.columns.name == "pred"
    assert frame.loc["O"].tolist() == [3, 0, 0, 0, 0]
    assert frame.loc["I-Drug"].tolist() == [1, 0, 0, 0, 0]
    assert frame.loc["B-Route"].tolist() == [0, 1, 0, 0, 0]
    assert frame.loc["B-Drug", "B-Drug"] == 1
    assert int(frame.to_numpy().sum()) == 7
    normalised = metrics.confusion_frame(GOLD_A, PRED_A, ["O", "B-Drug", "I-Drug", "I-ADE"], normalise=True)
    assert normalised.loc["O"].tolist() == [1.0, 0, 0, 0]
    assert normalised.loc["I-ADE"].tolist() == [0, 0, 0, 0]  # empty row stays 0


def test_confusion_matches_sklearn():
    gold, pred = random_fixture(seed=5)
    labels = bio_labels()
    ours = metrics.confusion_bio(rows_of(gold, pred), ENTITY_TYPES)
    expected = confusion_matrix(sum(gold, []), sum(pred, []), labels=labels)
    assert np.array_equal(ours.to_numpy(), expected)
    token = metrics.confusion_token(rows_of(gold, pred), ENTITY_TYPES, normalise=True)
    assert token.shape == (10, 10)
    sums = token.sum(axis=1)
    assert all(s == pytest.approx(1.0) or s == 0 for s in sums)


# ---------------------------------------------------------------------------------------------- ablations


def tidy(frame):
    return {(r.ablation, r.average): (r.precision, r.recall, r.f1) for r in frame.itertuples()}


def test_ablation_views():
    views = {v.name: v for v in ab.ablation_views(ENTITY_TYPES)}
    assert list(views) == ["all", "no_O", "no_ADE_Reason", "no_O_ADE_Reason", "merge_ADE_into_Reason"]
    assert len(views["all"].labels) == 10
    assert "O" not in views["no_O"].labels and len(views["no_O"].labels) == 9
    assert set(views["no_ADE_Reason"].labels) == {"O", "Dosage", "Drug", "Duration", "Form", "Frequency", "Route", "Strength"}
    assert len(views["no_O_ADE_Reason"].labels) == 7
    assert "ADE" not in views["merge_ADE_into_Reason"].labels and "Reason" in views["merge_ADE_into_Reason"].labels


def test_ablations_of_absent_types_are_left_out_and_listed():
    seven = ["Drug", "Route", "Dosage"]
    assert [v.name for v in ab.ablation_views(seven)] == ["all", "no_O"]
    assert ab.absent_ablations(seven) == {"no_ADE_Reason": "no ADE or Reason type", "no_O_ADE_Reason": "no ADE or Reason type",
                                          "merge_ADE_into_Reason": "needs both an ADE and a Reason type"}
    assert [v.name for v in ab.ablation_views(seven + ["ADE"])] == ["all", "no_O", "no_ADE_Reason", "no_O_ADE_Reason"]
    assert ab.absent_ablations(ENTITY_TYPES) == {}


def test_ablations_hand_values_fixture_b():
    frame = ab.ablations(rows_of(GOLD_B, PRED_B), ENTITY_TYPES)
    assert list(frame.columns) == ["ablation", "average", "precision", "recall", "f1"]
    assert len(frame) == 15
    got = tidy(frame)
    # token level: gold ADE ADE O Reason Drug O / pred Reason Reason O Reason Drug ADE
    assert got[("all", "micro")] == pytest.approx((0.5, 0.5, 0.5))
    # no_O: TP 2 (Reason, Drug), predicted 5, gold 4
    assert got[("no_O", "micro")] == pytest.approx((2 / 5, 2 / 4, 4 / 9))
    assert got[("no_O", "macro")] == pytest.approx((4 / 27, 2 / 9, 1 / 6))
    assert got[("no_O", "weighted")] == pytest.approx((1 / 3, 0.5, 0.375))
    # no_ADE_Reason: labels O + 7; O gold 2 / pred 1 / tp 1, Drug 1/1/1
    assert got[("no_ADE_Reason", "micro")] == pytest.approx((1.0, 2 / 3, 4 / 5))
    assert got[("no_ADE_Reason", "macro")] == pytest.approx((2 / 8, 1.5 / 8, 5 / 24))
    assert got[("no_ADE_Reason", "weighted")] == pytest.approx((1.0, 2 / 3, 7 / 9))
    # no_O_ADE_Reason: only Drug scores
    assert got[("no_O_ADE_Reason", "micro")] == pytest.approx((1.0, 1.0, 1.0))
    assert got[("no_O_ADE_Reason", "macro")] == pytest.approx((1 / 7, 1 / 7, 1 / 7))
    assert got[("no_O_ADE_Reason", "weighted")] == pytest.approx((1.0, 1.0, 1.0))
    # merge: gold Reason Reason O Reason Drug O / pred Reason Reason O Reason Drug Reason
    assert got[("merge_ADE_into_Reason", "micro")] == pytest.approx((5 / 6, 5 / 6, 5 / 6))
    assert got[("merge_ADE_into_Reason", "macro")][2] == pytest.approx(53 / 189)
    assert got[("merge_ADE_into_Reason", "weighted")][2] == pytest.approx(103 / 126)


def test_ablation_no_o_hand_values_fixture_a():
    got = tidy(ab.ablations(rows_of(GOLD_A, PRED_A), ENTITY_TYPES))
    assert got[("no_O", "micro")] == pytest.approx((2 / 3, 1 / 2, 4 / 7))
    assert got[("no_O", "macro")] == pytest.approx((1.5 / 9, 1.5 / 9, 1.5 / 9))
    assert got[("no_O", "weighted")] == pytest.approx((0.5, 0.5, 0.5))
    # the baseline equals the token-level report
    report = metrics.token_level(rows_of(GOLD_A, PRED_A), ENTITY_TYPES)
    assert got[("all", "macro")][2] == pytest.approx(report.loc["macro avg", "f1"])


def test_ablation_no_o_matches_sklearn_labels_semantics():
    gold, pred = random_fixture(seed=9)
    frame = ab.ablations(rows_of(gold, pred), ENTITY_TYPES).set_index(["ablation", "average"])
    flat_g = [t.split("-", 1)[-1] for t in sum(gold, [])]
    flat_p = [t.split("-", 1)[-1] for t in sum(pred, [])]
    for average in ("macro", "micro", "weighted"):
        expected = precision_recall_fscore_support(
            flat_g, flat_p, labels=sorted(ENTITY_TYPES), average=average, zero_division=0)
        assert frame.loc[("no_O", average), ["precision", "recall", "f1"]].tolist() == pytest.approx(expected[:3])


# --------------------------------------------------------------------------------------------- evaluation


def test_evaluate_rows_and_write(tmp_path):
    rows = rows_of(GOLD_A, PRED_A)
    frames = evaluation.evaluate_rows(rows, ENTITY_TYPES)
    assert set(frames) == {"bio_strict", "token_level", "confusion_bio", "confusion_token", "ablations"}
    assert frames["confusion_bio"].shape == (19, 19)
    paths = evaluation.write_evaluation(frames, tmp_path / "eval")
    names = sorted(p.name for p in paths)
    assert names == sorted(["bio_strict.csv", "token_level.csv", "confusion_bio.csv", "confusion_token.csv",
                            "ablations.csv", "summary.json"])
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text())
    assert summary["bio_strict"]["micro"]["f1"] == pytest.approx(5 / 7)
    assert summary["bio_strict"]["macro"]["f1"] == pytest.approx((53 / 21) / 19)
    assert summary["token_level"]["weighted"]["recall"] == pytest.approx(frames["token_level"].loc["weighted avg", "recall"])
    assert summary["n_tokens"] == 7
    report = evaluation.read_report(tmp_path / "eval" / "bio_strict.csv")
    assert list(report.index) == list(frames["bio_strict"].index)
    assert report.loc["O", "f1"] == pytest.approx(6 / 7, abs=1e-6)
    confusion = evaluation.read_confusion(tmp_path / "eval" / "confusion_token.csv")
    assert confusion.equals(frames["confusion_token"])
    ablations_csv = pd.read_csv(tmp_path / "eval" / "ablations.csv")
    assert list(ablations_csv.columns) == ["ablation", "average", "precision", "recall", "f1"]


def test_evaluate_file_errors_name_the_file(tmp_path):
    good = tmp_path / "test.jsonl"
    write_jsonl(good, rows_of(GOLD_A, PRED_A))
    paths = evaluation.evaluate_file(good, tmp_path / "out", ENTITY_TYPES)
    assert json.loads(paths[-1].read_text())["n_sentences"] == 2
    bad = tmp_path / "bad.jsonl"
    rows = rows_of(GOLD_A, PRED_A)
    rows[1]["pred"] = rows[1]["pred"][:-1]
    write_jsonl(bad, rows)
    with pytest.raises(InputError, match=r"bad\.jsonl:2: .*differ in length"):
        evaluation.evaluate_file(bad, tmp_path / "out2", ENTITY_TYPES)
    unknown = tmp_path / "unknown.jsonl"
    rows = rows_of(GOLD_A, PRED_A)
    rows[0]["pred"][0] = "B-Nope"
    write_jsonl(unknown, rows)
    with pytest.raises(InputError, match=r"unknown\.jsonl: .*B-Nope"):
        evaluation.evaluate_file(unknown, tmp_path / "out3", ENTITY_TYPES)
