"""The prediction-speed benchmark runs (tiny sizes) and reports every rate and ratio; no timing asserted."""

from __future__ import annotations

import importlib.util
import json

import pytest
from workflow_helpers import ROOT

pytestmark = pytest.mark.slow


def test_predict_speed_benchmark_tiny(tmp_path):
    pytest.importorskip("sklearn_crfsuite", reason="benchmark extra not installed: pip install -e '.[bench]'")
    pytest.importorskip("spacy", reason="benchmark extra not installed: pip install -e '.[bench]'")
    spec = importlib.util.spec_from_file_location("predict_speed", ROOT / "benchmarks" / "predict_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "predict_speed.json"
    result = module.main(["--train-docs", "4", "--test-docs", "2", "--epochs", "1", "--crf-iterations", "5",
                          "--large-sentences", "4", "--output", str(out)])
    assert json.loads(out.read_text()) == result
    assert result["machine"]["cores"] and result["corpus"]["test_sentences"] > 0
    for name in ("ours_default_crf_with_confidences", "sklearn_crfsuite", "spacy_blank_en_ner",
                 "ours_distilbert_size_crf_with_confidences"):
        assert set(result["sentences_per_second"][name]) == {"wall", "cpu"}
        assert all(v > 0 for v in result["sentences_per_second"][name].values())
    assert set(result["ratios"]) == {"ours_default_vs_crfsuite", "ours_default_vs_spacy", "ours_distilbert_size_vs_crfsuite"}
    assert result["models"]["ours_distilbert_size"]["sizes"]["dim"] == 768
    assert all(0 <= f1 <= 1 for f1 in result["entity_f1_seqeval"].values())


def test_predict_speed_on_phee_tiny(phee_dir, tmp_path):
    """`--corpus phee` end to end with a tiny BERT standing in for MiniLM, on 20 documents."""
    import sys

    from helpers_models import make_sentences

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from hf_baseline import EncoderSize, write_random_encoder

    encoder = write_random_encoder(tmp_path / "encoder", EncoderSize("bert", 1, 32, 2, 64, vocab_size=500, max_length=128),
                                   make_sentences(100), seed=1)
    spec = importlib.util.spec_from_file_location("predict_speed", ROOT / "benchmarks" / "predict_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "predict_speed_phee.json"
    result = module.main(["--corpus", "phee", "--phee", str(phee_dir), "--encoder", str(encoder), "--limit", "20",
                          "--repeats", "1", "--crf-iterations", "5", "--threads", "1", "--output", str(out)])
    assert json.loads(out.read_text()) == json.loads(json.dumps(result))
    sides = {"ours_minilm_crf", "ours_minilm_crf_quantized", "hf_pipeline", "sklearn_crfsuite"}
    assert set(result["notes_per_second_end_to_end"]) == set(result["notes_per_second_model_only"]) == sides
    assert result["corpus"]["test_notes"] == 20
    assert set(result["ratios_vs_hf_pipeline"]["end_to_end"]) == sides - {"hf_pipeline"}
    assert all(0 <= f1["strict"] <= f1["lenient"] <= 1 for f1 in result["span_f1"].values())
    assert "skipped" in result["spacy_blank_en_ner"] or result["spacy_blank_en_ner"]["model_only_sentences_per_second"]
    assert module.main(["--corpus", "phee", "--phee", str(tmp_path / "absent"), "--encoder", str(encoder)]) is None


def test_the_benchmark_docs_print_the_phee_prediction_command():
    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "benchmarks/predict_speed.py --corpus phee" in text
    assert "clinical-ner predict" in text and "--quantize" in text
