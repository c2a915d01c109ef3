"""`protocol: paper`: sub-word labels and scores on a tiny fixture, checked by hand; the settings it fixes."""

from __future__ import annotations

import json

import helpers_models  # noqa: F401  (offline mode, one thread)
import pytest
import torch
import transformers
import yaml
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
from workflow_helpers import ROOT

from clinical_ner.config import (
    candidates,
    pinned_settings,
    rank_by,
    selection_validation,
    validate_config,
)
from clinical_ner.config_checks import PAPER_SETTINGS
from clinical_ner.data.jsonl import write_jsonl
from clinical_ner.data.records import Sentence
from clinical_ner.errors import InputError
from clinical_ner.evaluation.run_files import evaluate_file
from clinical_ner.labels import ENTITY_TYPES, bio_labels
from clinical_ner.models.predict.sentences import predict_sentences
from clinical_ner.models.tagger import Tagger
from clinical_ner.models.train.loop import EarlyStopping
from clinical_ner.models.units.subwords import continuation_ids, subword_rows, subword_windows

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Take", "asp", "##irin", "20", "mg", "daily", "."]
# "aspirin" is two pieces (asp ##irin); every other word is one.
S1 = Sentence("d", 0, ["Take", "aspirin", "20", "mg"], [(0, 4), (5, 12), (13, 15), (16, 18)],
              ["O", "B-Drug", "B-Strength", "I-Strength"])
S2 = Sentence("d", 1, ["aspirin", "daily"], [(19, 26), (27, 32)], ["B-Drug", "B-Frequency"])
GOLD_SUBWORDS = [["O", "B-Drug", "I-Drug", "B-Strength", "I-Strength"], ["B-Drug", "I-Drug", "B-Frequency"]]
PRED_SUBWORDS = [["O", "B-Drug", "B-Drug", "B-Strength", "O"], ["B-Drug", "I-Drug", "O"]]


@pytest.fixture(scope="module")
def tokenizer():
    backend = Tokenizer(models.WordPiece({t: i for i, t in enumerate(VOCAB)}, unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(lowercase=False)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
        mask_token="[MASK]",
    )


def test_every_subword_is_labelled_continuations_of_b_are_i_and_there_are_no_special_tokens(tokenizer):
    labels = bio_labels()
    ids = [[labels.index(t) for t in s.tags] for s in (S1, S2)]
    windows = subword_windows(tokenizer, [S1.tokens, S2.tokens], 180, ids, continuation_ids(labels))
    assert [tokenizer.convert_ids_to_tokens(w.input_ids) for w in windows] == [
        ["Take", "asp", "##irin", "20", "mg"], ["asp", "##irin", "daily"]]
    assert [[labels[i] for i in w.labels] for w in windows] == GOLD_SUBWORDS
    assert [w.first_positions for w in windows] == [[0, 1, 2, 3, 4], [0, 1, 2]]  # every piece a unit
    rows = subword_rows(tokenizer, [S1.tokens], [S1.tags], max_subwords=3)
    assert rows == [{"subwords": ["Take", "asp", "##irin"], "subwords_truncated": 2,
                     "subword_tags": ["O", "B-Drug", "I-Drug"]}]
    cut = subword_windows(tokenizer, [S1.tokens], 3, ids[:1], continuation_ids(labels))
    assert len(cut[0].input_ids) == 3 and [labels[i] for i in cut[0].labels] == ["O", "B-Drug", "I-Drug"]


def test_subword_scores_by_hand(tmp_path):
    """19 BIO labels with O; token level: 10 classes with O (macro includes O); over the sub-words."""
    rows = []
    for sentence, gold, pred in zip((S1, S2), GOLD_SUBWORDS, PRED_SUBWORDS):
        rows.append({**sentence.to_dict(), "pred": ["O"] * len(sentence.tokens), "subwords": ["x"] * len(gold),
                     "subword_tags": gold, "subword_pred": pred, "subwords_truncated": 0})
    write_jsonl(tmp_path / "test.jsonl", rows)
    evaluate_file(tmp_path / "test.jsonl", tmp_path / "eval", ENTITY_TYPES, units="subword", extra={"protocol": "paper"})
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text())
    # O: P 1/3 R 1 F1 .5; B-Drug: 2/3, 1, .8; I-Drug: 1, .5, 2/3; B-Strength: 1, 1, 1; I-Strength, B-Frequency
    # and the 13 labels that never occur: 0.
    bio = summary["bio_strict"]
    assert bio["macro"]["f1"] == pytest.approx((0.5 + 0.8 + 2 / 3 + 1) / 19)
    assert bio["macro"]["precision"] == pytest.approx((1 / 3 + 2 / 3 + 1 + 1) / 19)
    assert bio["micro"]["f1"] == pytest.approx(5 / 8)  # accuracy over the 8 sub-words
    assert bio["weighted"]["f1"] == pytest.approx((1 * 0.5 + 2 * 0.8 + 2 * 2 / 3 + 1 * 1) / 8)
    # token level: O F1 .5, Drug 1, Strength 2/3, Frequency 0 and 6 absent types
    assert summary["token_level"]["macro"]["f1"] == pytest.approx((0.5 + 1 + 2 / 3) / 10)
    assert summary["n_tokens"] == 8 and summary["units"] == "subword" and summary["protocol"] == "paper"
    from sklearn.metrics import classification_report

    flat = [t for s in GOLD_SUBWORDS for t in s], [t for s in PRED_SUBWORDS for t in s]
    expected = classification_report(*flat, labels=bio_labels(), zero_division=0, output_dict=True)
    assert bio["macro"]["f1"] == pytest.approx(expected["macro avg"]["f1-score"])
    assert bio["weighted"]["recall"] == pytest.approx(expected["weighted avg"]["recall"])


def test_a_subword_tagger_trains_on_pieces_and_predicts_words(tokenizer, tmp_path):
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    tagger = Tagger(transformers.BertModel(config), tokenizer, "crf", bio_labels(), decoding="unconstrained",
                    units="subword", max_subwords=4)
    assert tagger.unit_tags([S1, S2]) == [GOLD_SUBWORDS[0][:4], GOLD_SUBWORDS[1]]
    batch = tagger.to_batch(tagger.windows([S1, S2], with_labels=True))
    assert batch["input_ids"].tolist()[1][:3] == [6, 7, 10] and 2 not in batch["input_ids"].tolist()[0]
    assert torch.isfinite(tagger.loss(batch))
    rows = predict_sentences(tagger, [S1, S2])
    assert [len(r["pred"]) for r in rows] == [4, 2]
    assert [len(r["subword_pred"]) for r in rows] == [4, 3] and rows[0]["subwords_truncated"] == 1
    assert rows[0]["pred"][3] == "O"  # "mg" was cut off: predicted O
    assert rows[1]["pred"] == [rows[1]["subword_pred"][0], rows[1]["subword_pred"][2]]  # each word's first piece
    tagger.save(tmp_path / "model")
    loaded = Tagger.load(tmp_path / "model")
    assert (loaded.units, loaded.max_subwords) == ("subword", 4)


def test_the_study_keeps_the_epoch_of_minimum_validation_loss():
    stopping = EarlyStopping(patience=0, validated=True, criterion="val_loss")
    tagger = torch.nn.Linear(1, 1)
    for epoch, (loss, f1) in enumerate([(0.5, 0.3), (0.4, 0.2), (0.45, 0.9)], start=1):
        stopping.update({"epoch": epoch, "val_loss": loss, "val_macro_f1": f1}, tagger)
    assert stopping.best["epoch"] == 2 and not stopping.stopped


def _paper(**changes):
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["protocol"] = "paper"
    raw.update(changes)
    return validate_config(raw)


def test_protocol_paper_fixes_the_study_settings_and_leaves_word_alone():
    word = validate_config(yaml.safe_load((ROOT / "config.yaml").read_text()))
    assert word["protocol"] == "word" and "units" not in word["training"]["settings"]
    assert word["downsample"]["keep_probability"] is None and rank_by(word) == "macro_f1"
    config = _paper()
    settings = candidates(config, "scratch")["hp0"]
    assert {k: settings[k] for k in PAPER_SETTINGS} == PAPER_SETTINGS
    assert (settings["units"], settings["max_subwords"], settings["dropout"], settings["max_grad_norm"]) == ("subword", 180, 0.2, 0)
    assert config["downsample"]["keep_probability"] == 0.08
    assert rank_by(config) == "mean_macro_prf"
    assert selection_validation(config, "downsampled") == "full"
    with pytest.raises(InputError, match="fixed by protocol: paper"):
        _paper(training={"search": {"dropout": [0.1, 0.3]}})


def test_pinned_settings_name_models_of_the_grid():
    config = _paper(training={"pinned": {"minilm-crf": {"batch_size": 14, "epochs": 3, "learning_rate": 5e-5}}})
    pinned = pinned_settings(config, "minilm-crf")
    assert (pinned["batch_size"], pinned["epochs"], pinned["units"]) == (14, 3, "subword")
    assert pinned_settings(config, "minilm-apt") is None
    with pytest.raises(InputError, match="training/pinned"):
        _paper(training={"pinned": {"roberta-crf": {"epochs": 1}}})


def test_the_paper_config_pins_the_authors_final_settings():
    raw = yaml.safe_load((ROOT / "config" / "paper.yaml").read_text())
    config = validate_config(raw, check_paths=False)
    assert config["protocol"] == "paper"
    pins = {model: (s["batch_size"], s["epochs"], s["learning_rate"]) for model, s in config["training"]["pinned"].items()}
    assert pins == {
        "bert-crf": (14, 3, 5e-5), "bert-apt": (8, 3, 5e-5), "biobert-crf": (8, 2, 5e-5), "biobert-apt": (8, 2, 1e-4),
        "clinicalbert-crf": (14, 2, 5e-5), "clinicalbert-apt": (14, 1, 1e-4), "scratch-crf": (8, 4, 1e-4),
        "scratch-apt": (14, 4, 1e-4),
    }
    grid = {(c["batch_size"], c["learning_rate"]) for c in candidates(config, "bert").values()}
    assert grid == {(8, 1e-4), (8, 5e-5), (14, 1e-4), (14, 5e-5)}
    scratch = {(c["batch_size"], c["learning_rate"]) for c in candidates(config, "scratch").values()}
    assert scratch == grid | {(8, 5e-4), (14, 5e-4)}
    assert config["encoders"]["scratch"]["tokenizer"] == "distilbert-base-cased"
