"""`clinical-ner score` and the folder reader that the pipeline's `score_spans` rule shares with it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from clinical_ner.cli import main
from clinical_ner.evaluation.brat_scoring import combined, read_folders, score_folders
from clinical_ner.evaluation.error_taxonomy import ALL_TYPES, span_counts

TEXT = "Aspirin 81 mg PO daily. Rash after vancomycin IV.\n"
GOLD = {
    "a": "T1\tDrug 0 7\tAspirin\nT2\tStrength 8 13\t81 mg\nT3\tRoute 14 16\tPO\n",
    "b": "T1\tADE 24 28\tRash\nT2\tDrug 35 45\tvancomycin\nR1\tADE-Drug Arg1:T1 Arg2:T2\n",
    "c": "T1\tDrug 35 45\tvancomycin\n",
}
PRED = {
    # a: Drug exact, Strength off by one ("81 m"), Route twice (the duplicate is dropped in n2c2 semantics)
    "a": "T1\tDrug 0 7\tAspirin\n#1\tAnnotatorNotes T1\tconfidence 0.97\nT2\tStrength 8 12\t81 m\n"
         "T3\tRoute 14 16\tPO\nT4\tRoute 14 16\tPO\n",
    # b: a Drug spanning "Rash after vancomycin" (wrong type for Rash, lenient hit for vancomycin)
    "b": "T1\tDrug 24 45\tRash after vancomycin\n",
    "z": "",  # no gold document: ignored
}  # c has no prediction file: all of its entities are misses


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    gold.mkdir()
    pred.mkdir()
    for doc_id, ann in GOLD.items():
        (gold / f"{doc_id}.txt").write_text(TEXT)
        (gold / f"{doc_id}.ann").write_text(ann)
    for doc_id, ann in PRED.items():
        (pred / f"{doc_id}.ann").write_text(ann)
    return gold, pred


def row(frame, semantics, mode, label):
    hit = frame[(frame["semantics"] == semantics) & (frame["mode"] == mode) & (frame["label"] == label)]
    return tuple(int(v) for v in hit[["tp", "fp", "fn"]].iloc[0])


def test_read_folders_pairs_documents(folders):
    inputs = read_folders(*folders)
    assert [d.doc_id for d in inputs.predicted] == ["a", "b", "c"]
    assert inputs.missing_predictions == ["c"] and inputs.extra_predictions == ["z"]
    assert inputs.predicted[2].entities == []
    assert inputs.types() == ["ADE", "Drug", "Route", "Strength"]


def test_hand_computed_counts_in_both_semantics(folders):
    frame = combined(score_folders(*folders))
    assert frame["semantics"].unique().tolist() == ["n2c2", "one_to_one"]
    # strict: TP Drug(a), Route(a); FP Strength(a), Drug(b) [+ duplicate Route(a) one-to-one]; FN 6 - 2 = 4
    assert row(frame, "n2c2", "strict", "micro avg") == (2, 2, 4)
    assert row(frame, "one_to_one", "strict", "micro avg") == (2, 3, 4)
    # lenient: Strength and the long Drug(b) now hit too; FN = ADE(b) + Drug(c)
    assert row(frame, "n2c2", "lenient", "micro avg") == (4, 0, 2)
    assert row(frame, "one_to_one", "lenient", "micro avg") == (4, 1, 2)
    assert row(frame, "n2c2", "lenient", "Route") == (1, 0, 0)
    # n2c2 macro: mean over documents a (P 1, R 1), b (1, 1/2), c (0, 0)
    macro = frame[(frame["semantics"] == "n2c2") & (frame["mode"] == "lenient") & (frame["label"] == "macro avg")]
    assert macro[["precision", "recall", "f1"]].iloc[0].tolist() == pytest.approx([2 / 3, 1 / 2, (1 + 2 / 3) / 3])


def test_score_command_prints_and_writes_the_same_tables(folders, tmp_path, capsys):
    out = tmp_path / "scores" / "spans.csv"
    assert main(["score", "--gold", str(folders[0]), "--pred", str(folders[1]), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "n2c2-2018 track 2" in printed and "one-to-one" in printed
    assert "1 without a prediction file" in printed and "1 prediction files without gold" in printed
    written = pd.read_csv(out, keep_default_na=False)
    pd.testing.assert_frame_equal(written.drop(columns="note"), combined(score_folders(*folders)), check_exact=False,
                                  atol=1e-6)
    assert "support predicted" in " ".join(printed.split())


def test_score_command_writes_the_error_taxonomy_and_viewer(folders, tmp_path, capsys):
    taxonomy, page = tmp_path / "errors" / "taxonomy.csv", tmp_path / "errors" / "errors.html"
    assert main(["score", "--gold", str(folders[0]), "--pred", str(folders[1]), "--out", str(tmp_path / "s.csv"),
                 "--taxonomy", str(taxonomy), "--errors", str(page)]) == 0
    printed = capsys.readouterr().out
    assert f"written: {taxonomy}" in printed and f"written: {page}" in printed
    counts = pd.read_csv(taxonomy).set_index("label")
    total = counts.loc[ALL_TYPES]
    # a: Strength off by one, duplicate Route dropped; b: "Rash after vancomycin" as a Drug; c: nothing predicted
    assert (total["correct"], total["wrong_boundary_fp"], total["duplicate_dropped"]) == (2, 2, 1)
    # the gold Drug of c is missed; the long Drug overlaps the gold Drug of b and, of another type, its ADE
    assert total["missed"] == 1 and counts.loc["Drug", "wrong_boundary_fn"] == 1
    assert counts.loc["ADE", "wrong_type_boundary_fn"] == 1
    assert re.search(r"errors by kind \(all types\): .*\bmissed 1\b.*; repeated predictions dropped .*: 1$", printed,
                     re.M), printed
    assert "error viewer: 3 documents, 7 entities with an error, 4 predictions without a confidence note" in printed
    strict = span_counts(counts.reset_index()).set_index("label").loc[ALL_TYPES]
    assert (strict["tp"], strict["fp"], strict["fn"]) == row(pd.read_csv(tmp_path / "s.csv"), "n2c2", "strict",
                                                             "micro avg")
    data = page.read_text().split('<script id="viewer-data" type="application/json">')[1].split("</script>")[0]
    payload = json.loads(data)
    assert payload["model"] == "pred" and [d["id"] for d in payload["documents"]] == ["a", "b", "c"]
    kinds = {(e["side"], e["text"], e["kind"]) for d in payload["documents"] for e in d["entities"]}
    assert ("predicted", "81 m", "wrong_boundary") in kinds and ("gold", "vancomycin", "missed") in kinds
    confidences = [e["confidence"] for e in payload["documents"][0]["entities"] if e["text"] == "Aspirin"]
    assert confidences == [0.97, 0.97]  # the prediction's note, and its gold entity's


def test_the_error_files_keep_to_the_scored_types(folders, tmp_path, capsys):
    taxonomy, page = tmp_path / "taxonomy.csv", tmp_path / "errors.html"
    assert main(["score", "--gold", str(folders[0]), "--pred", str(folders[1]), "--types", "Drug",
                 "--taxonomy", str(taxonomy), "--errors", str(page)]) == 0
    assert pd.read_csv(taxonomy)["label"].tolist() == ["Drug", ALL_TYPES]
    data = page.read_text().split('<script id="viewer-data" type="application/json">')[1].split("</script>")[0]
    payload = json.loads(data)
    assert payload["types"] == ["Drug"]
    assert {e["type"] for d in payload["documents"] for e in d["entities"]} == {"Drug"}


def test_score_command_types_filter(folders, tmp_path, capsys):
    out = tmp_path / "drug.csv"
    assert main(["score", "--gold", str(folders[0]), "--pred", str(folders[1]), "--types", "Drug", "--out", str(out)]) == 0
    frame = pd.read_csv(out, keep_default_na=False)
    assert set(frame["label"]) == {"Drug", "micro avg", "macro avg"}
    assert row(frame, "n2c2", "strict", "Drug") == (1, 1, 2)


def test_score_command_missing_prediction_folder(folders, tmp_path, capsys):
    assert main(["score", "--gold", str(folders[0]), "--pred", str(tmp_path / "nope")]) == 2
    assert "prediction folder not found" in capsys.readouterr().err


RENAMED_GOLD = {doc_id: ann.replace("Drug", "Medication").replace("Route", "Administration") for doc_id, ann in GOLD.items()}
LABEL_MAP = "Medication: Drug\nStrength: Strength\nAdministration: Route\nADE: ADE\n"  # drops nothing here


@pytest.fixture()
def renamed(folders: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path, Path]:
    gold = tmp_path / "renamed"
    gold.mkdir()
    for doc_id, ann in RENAMED_GOLD.items():
        (gold / f"{doc_id}.txt").write_text(TEXT)
        (gold / f"{doc_id}.ann").write_text(ann)
    label_map = tmp_path / "label_map.yaml"
    label_map.write_text(LABEL_MAP)
    return gold, folders[1], label_map


def test_score_maps_gold_types_through_the_label_map(renamed, folders, tmp_path, capsys):
    gold, pred, label_map = renamed
    out = tmp_path / "mapped.csv"
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--label-map", str(label_map), "--out", str(out)]) == 0
    written = pd.read_csv(out, keep_default_na=False)
    expected = combined(score_folders(*folders, types=["Drug", "Strength", "Route", "ADE"]))
    pd.testing.assert_frame_equal(written.drop(columns="note"), expected, check_exact=False, atol=1e-6)
    assert written[written["label"] != "micro avg"]["label"].tolist()[:4] == ["Drug", "Strength", "Route", "ADE"]
    assert "never occurs in gold" not in capsys.readouterr().err


def test_score_takes_the_label_map_of_a_config(renamed, tmp_path):
    gold, pred, label_map = renamed
    config = tmp_path / "own.yaml"
    config.write_text("corpus:\n  source: brat\n  train: x\n  test: y\n  label_map:\n"
                      + "".join(f"    {line}\n" for line in LABEL_MAP.splitlines()))
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--config", str(config), "--out", str(a)]) == 0
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--label-map", str(label_map), "--out", str(b)]) == 0
    assert a.read_text() == b.read_text()


def test_score_without_the_map_warns_and_says_so_in_the_csv(renamed, tmp_path, capsys):
    gold, pred, _ = renamed
    out = tmp_path / "unmapped.csv"
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "predicted type 'Drug' never occurs in gold (map the gold types with --label-map" in err
    assert "gold type 'Medication' is never predicted" in err
    notes = pd.read_csv(out, keep_default_na=False).set_index(["semantics", "mode", "label"])["note"]
    assert notes[("n2c2", "strict", "Drug")] == "no gold entity of this type"
    assert notes[("n2c2", "strict", "Medication")] == "never predicted"
    assert notes[("n2c2", "strict", "Strength")] == "" and notes[("n2c2", "strict", "ADE")] == "never predicted"
