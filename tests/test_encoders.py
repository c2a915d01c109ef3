"""Encoders: one loading path for hub ids and local folders, clear offline error, from-scratch encoder,
local stand-in encoders."""

from __future__ import annotations

import json
from pathlib import Path

import helpers_models
import pytest
import torch
import transformers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers

from clinical_ner.models.encoders import pretrained, wordpiece
from clinical_ner.models.encoders.build import load_encoder
from clinical_ner.models.encoders.pretraining import build_stand_in_encoder, stand_in_note
from clinical_ner.models.encoders.spec import EncoderSpec, EncoderUnavailableError

WORDS = [s.tokens for s in helpers_models.make_sentences(30, seed=3)]


def save_tiny_bert(folder: Path) -> None:
    """A tiny BERT and a WordPiece tokenizer trained here, written with save_pretrained."""
    backend = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(lowercase=False)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.train_from_iterator(
        [" ".join(w) for w in WORDS],
        trainers.WordPieceTrainer(vocab_size=120, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]),
    )
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
        mask_token="[MASK]", model_max_length=64,
    )
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64,
    )
    model = transformers.BertModel(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def test_spec_defaults_are_distilbert_base_cased() -> None:
    spec = EncoderSpec("scratch", "scratch")
    assert (spec.n_layers, spec.dim, spec.n_heads, spec.hidden_dim, spec.vocab_size,
            spec.max_position_embeddings, spec.lowercase) == (6, 768, 12, 3072, 28996, 512, False)
    assert EncoderSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(ValueError, match="unknown"):
        EncoderSpec.from_dict({"name": "x", "source": "scratch", "layers": 2})


def test_local_folder_loads_by_path(tmp_path: Path) -> None:
    folder = tmp_path / "tiny-bert"
    save_tiny_bert(folder)
    model, tokenizer = load_encoder(EncoderSpec("tiny", str(folder)))
    assert isinstance(model, transformers.BertModel)
    reference = transformers.BertModel.from_pretrained(folder)
    for (name, a), (_, b) in zip(model.state_dict().items(), reference.state_dict().items()):
        assert torch.equal(a, b), name
    enc = tokenizer([WORDS[0]], is_split_into_words=True)
    assert enc["input_ids"][0] == enc["input_ids"][0][:1] + enc["input_ids"][0][1:]
    assert enc["input_ids"][0][0] == tokenizer.cls_token_id and enc["input_ids"][0][-1] == tokenizer.sep_token_id
    assert tokenizer.unk_token_id not in enc["input_ids"][0]  # training words are all in the vocabulary


def test_hub_ids_and_folders_share_one_code_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """load_encoder calls the same Auto*.from_pretrained for both; the only branch is whether the source
    is an existing local folder (which then gets local_files_only=True)."""
    calls: list[tuple[str, str, dict]] = []

    def recorder(kind: str):
        class Fake:
            @classmethod
            def from_pretrained(cls, location, **kwargs):
                calls.append((kind, location, kwargs))
                return f"{kind}:{location}"
        return Fake

    assert pretrained._auto_classes() == (transformers.AutoModel, transformers.AutoTokenizer)
    monkeypatch.setattr(pretrained, "_auto_classes", lambda: (recorder("model"), recorder("tokenizer")))
    folder = tmp_path / "org" / "model"
    folder.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    # "org/model" exists as a folder here: it is a local source, whatever it looks like
    assert load_encoder(EncoderSpec("a", "org/model")) == ("model:org/model", "tokenizer:org/model")
    assert load_encoder(EncoderSpec("b", str(folder))) == (f"model:{folder}", f"tokenizer:{folder}")
    # "org/other" does not exist: it is passed on untouched as a hub id, without local_files_only
    assert load_encoder(EncoderSpec("c", "org/other")) == ("model:org/other", "tokenizer:org/other")
    assert [c[2] for c in calls] == [{"local_files_only": True}] * 4 + [{}, {}]
    assert {c[0] for c in calls} == {"model", "tokenizer"}


def test_hub_id_offline_gives_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HOME", "/nonexistent-hf-home-for-test")
    with pytest.raises(EncoderUnavailableError) as info:
        load_encoder(EncoderSpec("bert", "some-org/not-cached-model-xyz"))
    message = str(info.value)
    assert "some-org/not-cached-model-xyz" in message
    assert "download" in message.lower() and "local folder" in message


def test_missing_local_folder_contents_give_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(EncoderUnavailableError, match="does not hold a loadable"):
        load_encoder(EncoderSpec("x", str(tmp_path / "empty")))


def test_scratch_encoder_sizes_vocabulary_and_seed() -> None:
    spec = helpers_models.tiny_scratch_spec(n_layers=2, dim=32, n_heads=4, hidden_dim=48, vocab_size=1000)
    sentences = helpers_models.make_sentences(50, seed=1)
    model, tokenizer = load_encoder(spec, sentences, seed=5)
    assert isinstance(model, transformers.DistilBertModel)
    config = model.config
    assert (config.n_layers, config.dim, config.n_heads, config.hidden_dim, config.max_position_embeddings) == (2, 32, 4, 48, 64)
    assert len(tokenizer) <= config.vocab_size == 1000  # the architecture's embedding size, as Table I counts it
    assert [tokenizer.convert_tokens_to_ids(t) for t in wordpiece.SPECIAL_TOKENS] == [0, 1, 2, 3, 4]
    vocab = tokenizer.get_vocab()
    assert "aspirin" in vocab  # a training word
    assert "Zyrtec" not in vocab  # never seen in training: built from the training sentences only
    # cased by default
    ids = tokenizer(["Aspirin", "aspirin"], is_split_into_words=True, add_special_tokens=False)["input_ids"]
    assert ids[0] != ids[-1]
    again, tokenizer_again = load_encoder(spec, sentences, seed=5)
    assert tokenizer_again.get_vocab() == vocab  # the vocabulary is deterministic too
    other, _ = load_encoder(spec, sentences, seed=6)
    state, state_again, state_other = model.state_dict(), again.state_dict(), other.state_dict()
    assert all(torch.equal(state[k], state_again[k]) for k in state)
    assert not all(torch.equal(state[k], state_other[k]) for k in state)
    with pytest.raises(ValueError, match="training sentences"):
        load_encoder(spec)


def test_stand_in_encoder_is_labelled_and_loads_by_path(tmp_path: Path) -> None:
    folder = build_stand_in_encoder(
        tmp_path / "bert-stand-in", helpers_models.make_sentences(80, seed=2), n_layers=1, hidden=32,
        heads=2, intermediate=64, vocab_size=300, mlm_steps=60, seed=1, stands_in_for="bert-base-cased",
        max_position_embeddings=64,
    )
    note = stand_in_note(folder)
    assert note is not None and note["stand_in"] is True and note["stands_in_for"] == "bert-base-cased"
    assert "NOT" in note["statement"] and "stand-in" in (folder / "README.md").read_text().lower()
    assert note["mlm_loss_last"] < note["mlm_loss_first"]  # the brief masked-LM pre-training learns
    model, tokenizer = load_encoder(EncoderSpec("bert", str(folder)))
    assert isinstance(model, transformers.BertModel) and model.config.hidden_size == 32
    assert json.loads((folder / "config.json").read_text())["num_hidden_layers"] == 1
    assert tokenizer.mask_token == "[MASK]" and len(tokenizer) == model.config.vocab_size
    assert stand_in_note(tmp_path) is None
