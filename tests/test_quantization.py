"""int8 dynamic quantisation of the encoder for CPU prediction (`clinical-ner predict --quantize`)."""

from __future__ import annotations

import json
from pathlib import Path

import helpers_models
import pytest
import torch

from clinical_ner.cli import main
from clinical_ner.models.baselines.feature_crf import FeatureCRF
from clinical_ner.models.predict.quantization import quantize_encoder
from clinical_ner.models.predict.sentences import load_model


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return helpers_models.lively_tagger("crf").save(tmp_path_factory.mktemp("model") / "final")


def test_quantised_encoder_has_int8_linear_layers_and_tags_almost_alike(model: Path) -> None:
    sentences = helpers_models.make_sentences(40, seed=3)
    full = load_model(model)
    quantised = load_model(model, quantize=True)
    linear = [m for m in quantised.encoder.modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]
    assert linear and not any(type(m) is torch.nn.Linear for m in quantised.encoder.modules())
    assert type(quantised.head.linear) is torch.nn.Linear  # the head stays fp32
    words = [tag for row in full.predict(sentences) for tag in row]
    quantised_words = [tag for row in quantised.predict(sentences) for tag in row]
    agreement = sum(a == b for a, b in zip(words, quantised_words)) / len(words)
    assert agreement >= 0.9  # weights and activations rounded to 8 bits: a few words may change
    scored = quantised.predict_scored(sentences)
    assert all(0 < p <= 1 for row in scored for _, p in row)


def test_a_quantised_tagger_is_never_saved_and_runs_on_the_cpu_only(model: Path, tmp_path: Path) -> None:
    quantised = load_model(model, quantize=True)
    with pytest.raises(ValueError, match="predicts only"):
        quantised.save(tmp_path / "copy")
    meta = load_model(model)
    meta.to("meta")
    with pytest.raises(ValueError, match="CPU only"):
        quantize_encoder(meta)


def test_the_feature_crf_refuses_quantize(tmp_path: Path) -> None:
    FeatureCRF.fit(helpers_models.make_sentences(20), tmp_path / "crf", c1=0.1, c2=0.1, max_iterations=5)
    with pytest.raises(ValueError, match="feature CRF"):
        load_model(tmp_path / "crf", quantize=True)


def test_predict_command_with_quantize(model: Path, tmp_path: Path, capsys) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("Give Lasix 40 mg daily for oedema.\n", encoding="utf-8")
    assert main(["predict", "--model", str(model), "--input", str(notes), "--output", str(tmp_path / "out"),
                 "--quantize", "--threads", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["notes_tagged"] == 1 and report["quantized"] is True
    assert (tmp_path / "out" / "a.ann").is_file()
