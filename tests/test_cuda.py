"""The model code on a CUDA device: training, prediction with confidences, save/load, the same tags as on
the CPU. Skipped without a GPU (as in CI); `benchmarks/gpu_check.sh` runs it on a GPU machine."""

from __future__ import annotations

from pathlib import Path

import helpers_models
import pytest
import torch

from clinical_ner.labels import bio_labels
from clinical_ner.models.encoders.spec import EncoderSpec
from clinical_ner.models.heads.decoding import is_valid
from clinical_ner.models.predict.sentences import scored_tags
from clinical_ner.models.tagger import Tagger
from clinical_ner.models.train.job import train

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")

TRAIN = helpers_models.make_sentences(80, seed=11)
VAL = helpers_models.make_sentences(20, seed=12)
# one sentence longer than the 64-sub-word window, so prediction stitches windows on the GPU too
TEST = helpers_models.make_sentences(30, seed=13) + [[w for s in helpers_models.make_sentences(8, seed=3) for w in s.tokens]]
SPECS = {
    "scratch": helpers_models.tiny_scratch_spec(),
    "bilstm": EncoderSpec(name="bilstm", source="bilstm", n_layers=1, dim=32, hidden_dim=32, vocab_size=500),
}


def agreement(a: list[list[str]], b: list[list[str]]) -> float:
    pairs = [(x, y) for row_a, row_b in zip(a, b) for x, y in zip(row_a, row_b)]
    return sum(x == y for x, y in pairs) / len(pairs)


@pytest.mark.parametrize("encoder", sorted(SPECS))
@pytest.mark.parametrize("decoding", ["constrained", "unconstrained"])
@pytest.mark.parametrize("head", ["crf", "apt"])
def test_train_predict_and_reload_on_cuda(tmp_path: Path, encoder: str, decoding: str, head: str) -> None:
    settings = helpers_models.tiny_settings(epochs=3, decoding=decoding, max_length=64)
    summary = train(SPECS[encoder], head, bio_labels(), settings, TRAIN, VAL, tmp_path / "m", device="cuda")
    assert summary["device"].startswith("cuda")
    gpu = Tagger.load(tmp_path / "m", device="cuda")
    assert gpu.device.type == "cuda"
    tags = gpu.predict(TEST, batch_size=8)
    assert [len(t) for t in tags] == [len(s.tokens if hasattr(s, "tokens") else s) for s in TEST]
    if decoding == "constrained":
        assert all(is_valid(row) for row in tags)
    scored, confidence = scored_tags(gpu, TEST[:-1], batch_size=8)
    assert scored == tags[:-1]
    assert all(0.0 < c <= 1.0 + 1e-6 for row in confidence for c in row)
    cpu = Tagger.load(tmp_path / "m", device="cpu").predict(TEST, batch_size=8)
    assert agreement(cpu, tags) > 0.97  # bf16 autocast on the GPU, fp32 on the CPU
