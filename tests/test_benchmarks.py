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
