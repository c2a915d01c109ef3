"""Table I offline: parameter counts of models built with random weights from the shipped architectures."""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_helpers import copy_workflow, snakemake

from clinical_ner.labels import bio_labels
from clinical_ner.models.encoders.pretraining import build_stand_in_encoder
from clinical_ner.models.encoders.scratch import build_scratch_encoder
from clinical_ner.models.encoders.spec import EncoderSpec, EncoderUnavailableError
from clinical_ner.models.sizes.architectures import build_encoder, encoder_config, parameter_counts, shipped_ids

N_LABELS = len(bio_labels())  # 19
# The study's Table I (Belkadi et al.): (source, head) -> trainable parameters.
TABLE_I = {
    ("bert-base-cased", "crf"): 108_325_282,
    ("dmis-lab/biobert-base-cased-v1.2", "crf"): 108_325_282,
    ("medicalai/ClinicalBERT", "crf"): 134_749_090,
    ("scratch", "crf"): 65_205_922,
    ("bert-base-cased", "apt"): 108_324_883,
    ("dmis-lab/biobert-base-cased-v1.2", "apt"): 108_324_883,
    ("medicalai/ClinicalBERT", "apt"): 134_748_691,
    ("scratch", "apt"): 65_205_523,
}
# (each name says its encoder's kind, from the encoder-kind registry)
TABLE_I_MARKDOWN = """\
| BERT (pre-trained)-CRF | 108,325,282 | +0.00% |
| BioBERT (pre-trained)-CRF | 108,325,282 | +0.00% |
| ClinicalBERT (pre-trained)-CRF | 134,749,090 | +24.39% |
| Transformer (from scratch)-CRF | 65,205,922 | -39.80% |
| BERT (pre-trained)-Apt | 108,324,883 | +0.00% |
| BioBERT (pre-trained)-Apt | 108,324,883 | +0.00% |
| ClinicalBERT (pre-trained)-Apt | 134,748,691 | +24.39% |
| Transformer (from scratch)-Apt | 65,205,523 | -39.80% |
"""


def test_the_study_architectures_are_shipped():
    assert shipped_ids() == ["bert-base-cased", "distilbert-base-cased", "dmis-lab/biobert-base-cased-v1.2", "medicalai/ClinicalBERT"]


@pytest.mark.parametrize(("source", "head"), list(TABLE_I))
def test_table_one_to_the_digit(source, head):
    config = encoder_config(EncoderSpec("encoder", source))  # scratch: the spec's defaults, distilbert-base-cased
    assert parameter_counts(config, head, N_LABELS)["trainable"] == TABLE_I[(source, head)]


@pytest.mark.parametrize(("source", "head"), [k for k in TABLE_I if k[0] != "scratch"])
def test_a_scratch_encoder_with_a_shipped_architecture_has_its_full_size(source, head):
    spec = EncoderSpec("encoder", "scratch", architecture_of=source)
    assert parameter_counts(encoder_config(spec), head, N_LABELS)["trainable"] == TABLE_I[(source, head)]


@pytest.mark.parametrize(("source", "model_type", "vocab"), [
    ("bert-base-cased", "bert", 28_996), ("medicalai/ClinicalBERT", "distilbert", 119_547),
])
def test_the_built_scratch_encoder_is_the_whole_architecture_with_a_learned_wordpiece(source, model_type, vocab):
    import torch

    sentences = [["Aspirin", "81", "mg", "daily"], ["metoprolol", "25", "mg", "PO", "BID"]] * 3
    with torch.device("meta"):  # the real structure and shapes, no memory
        model, tokenizer = build_scratch_encoder(EncoderSpec("e", "scratch", architecture_of=source), sentences)
    assert model.config.model_type == model_type and model.config.vocab_size == vocab
    assert model.get_input_embeddings().weight.shape == (vocab, 768)  # the full vocabulary, fewer pieces learned
    assert len(tokenizer) < 200 and tokenizer.pad_token_id == model.config.pad_token_id == 0
    assert tokenizer.model_max_length == 512


def test_folders_and_scratch_sizes_are_read_without_weights(tmp_path):
    folder = build_stand_in_encoder(tmp_path / "enc", [["a", "b", "c"]] * 4, n_layers=1, hidden=16, heads=2,
                                    intermediate=32, vocab_size=120, mlm_steps=0)
    from_folder = encoder_config(EncoderSpec("x", "stand-in"), folder)
    assert (from_folder.num_hidden_layers, from_folder.hidden_size) == (1, 16)
    small = encoder_config(EncoderSpec("s", "scratch", n_layers=1, dim=16, n_heads=2, hidden_dim=32, vocab_size=100,
                                       max_position_embeddings=32))
    # DistilBERT: embeddings (100 + 32) x 16 + LayerNorm 32; one layer: 4 x (16x16 + 16) + 2 LN + FFN 16x32+32 + 32x16+16
    encoder = 132 * 16 + 32 + 4 * (16 * 16 + 16) + 2 * 32 + (16 * 32 + 32) + (32 * 16 + 16)
    assert parameter_counts(small, "apt", 5) == {"total": encoder + 85, "trainable": encoder + 85, "encoder": encoder, "head": 85}
    assert parameter_counts(small, "crf", 5)["head"] == 85 + 5 * 5 + 2 * 5


def test_an_unknown_hub_id_offline_names_the_download_and_the_local_folder(monkeypatch):
    import transformers

    def offline(*args, **kwargs):
        raise OSError("We couldn't connect to 'https://huggingface.co'")

    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", offline)
    with pytest.raises(EncoderUnavailableError) as info:
        encoder_config(EncoderSpec("x", "some-org/not-shipped"))
    assert "huggingface-cli download some-org/not-shipped" in str(info.value)
    assert "local folder" in str(info.value)


@pytest.mark.slow
def test_meta_counts_equal_a_model_built_in_memory():
    config = encoder_config(EncoderSpec("scratch", "scratch"))
    real = sum(p.numel() for p in build_encoder(config, device="cpu").parameters())
    assert real == parameter_counts(config, "apt", N_LABELS)["encoder"] == 65_190_912


@pytest.mark.slow
def test_table_one_from_the_paper_config_offline(tmp_path: Path):
    workdir = copy_workflow(tmp_path / "wf")
    run = snakemake(workdir, "--cores", "1", "results/tables/table1_parameters.md", "--configfile", "config/paper.yaml")
    assert run.returncode == 0, run.stderr[-4000:]
    table = (workdir / "results" / "tables" / "table1_parameters.md").read_text()
    rows = "".join(line.replace("**", "") + "\n" for line in table.splitlines() if line.startswith("| ") and "model" not in line)
    assert rows == TABLE_I_MARKDOWN
    assert not (workdir / "results" / "data").exists()  # no corpus, no training, no weights
