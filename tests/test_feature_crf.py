"""The feature-based CRF baseline (sklearn-crfsuite)."""

from __future__ import annotations

import pytest
from helpers_models import synthetic_sentences

from clinical_ner.evaluation.metrics import bio_strict
from clinical_ner.labels import ENTITY_TYPES
from clinical_ner.models.baselines.feature_crf import (
    FeatureCRF,
    is_feature_crf,
    select_and_train,
    shape,
    short_shape,
    token_features,
)
from clinical_ner.models.predict.notes import predict_folder
from clinical_ner.models.predict.sentences import load_model, predict_jsonl


def test_features():
    assert shape("Lasix") == "Xxxxx" and short_shape("Lasix") == "Xx" and short_shape("10.5") == "d.d"
    words = ["Give", "Lasix", "40", "mg", "daily"]
    first, middle = token_features(words, 0), token_features(words, 2)
    assert first["BOS"] and first["word"] == "Give" and first["lower"] == "give" and first["+2:lower"] == "40"
    assert middle["is_digit"] and middle["-2:lower"] == "give" and middle["+2:lower"] == "daily"
    assert middle["prefix1"] == "4" and middle["suffix2"] == "40"
    assert token_features(words, 4)["EOS"]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    data = synthetic_sentences(tmp_path_factory.mktemp("corpus"), 30, 10, seed=13)
    n_val = len(data["train"]) // 10
    return data["train"][n_val:], data["train"][:n_val], data["test"]


def test_crf_beats_the_all_outside_tagger_on_the_embedded_corpus(embedded, tmp_path):
    train, val, test = embedded
    selection = select_and_train(train, val, tmp_path / "crf", ENTITY_TYPES, {"c1": [0.05, 0.5], "c2": [0.05]},
                                 max_iterations=60)
    assert len(selection["candidates"]) == 2
    assert selection["selected"]["val_macro_f1"] == max(c["val_macro_f1"] for c in selection["candidates"])
    assert selection["rank_by"] == "macro_f1"

    assert is_feature_crf(tmp_path / "crf")
    model = FeatureCRF.load(tmp_path / "crf")
    rows = [{**s.to_dict(), "pred": p} for s, p in zip(test, model.predict(test))]
    all_outside = [{**s.to_dict(), "pred": ["O"] * len(s.tokens)} for s in test]
    crf_f1 = bio_strict(rows, ENTITY_TYPES).loc["macro avg", "f1"]
    outside_f1 = bio_strict(all_outside, ENTITY_TYPES).loc["macro avg", "f1"]
    assert outside_f1 < 0.06  # only the O row scores
    assert crf_f1 > 0.5 and crf_f1 > outside_f1 + 0.4


def test_crf_selection_follows_the_neural_ranking(embedded, tmp_path):
    """One rule of selection for every model: with rank_by mean_macro_prf the candidate of the best mean of
    macro P, R and F1 is kept, as `train.selection.select_candidate` ranks the neural candidates."""
    train, val, _ = embedded
    selection = select_and_train(train[:60], val, tmp_path / "crf", ENTITY_TYPES, {"c1": [0.01, 1.0], "c2": [0.01]},
                                 max_iterations=30, rank_by="mean_macro_prf", retrain_on_train_val=False)
    mean = {c["candidate"]: (c["val_macro_precision"] + c["val_macro_recall"] + c["val_macro_f1"]) / 3
            for c in selection["candidates"]}
    assert selection["selected"]["candidate"] == max(mean, key=mean.get)
    assert selection["rank_by"] == "mean_macro_prf"


def test_crf_writes_the_prediction_files_of_a_tagger(embedded, tmp_path):
    from clinical_ner.data.jsonl import write_jsonl

    train, _, test = embedded
    model = FeatureCRF.fit(train[:80], tmp_path / "m", c1=0.1, c2=0.1, max_iterations=20)
    write_jsonl(tmp_path / "test.jsonl", [s.to_dict() for s in test[:20]])
    summary = predict_jsonl(tmp_path / "m", tmp_path / "test.jsonl", tmp_path / "pred.jsonl")
    assert summary["sentences"] == 20
    from clinical_ner.data.jsonl import iter_jsonl

    rows = list(iter_jsonl(tmp_path / "pred.jsonl"))
    assert rows[0]["pred"] == model.predict([test[0]])[0]
    assert all(0 < p <= 1 for row in rows for p in row["confidence"])
    assert isinstance(load_model(tmp_path / "m"), FeatureCRF)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("Started Lasix 40 mg PO daily for edema.\n", encoding="utf-8")
    assert predict_folder(model, notes, tmp_path / "ann", progress=False)["notes_tagged"] == 1
    assert (tmp_path / "ann" / "a.ann").exists()
    with pytest.raises(FileNotFoundError):
        FeatureCRF.load(tmp_path)
