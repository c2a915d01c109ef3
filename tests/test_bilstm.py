"""The word + character BiLSTM encoder: tokenizer, forward shapes, training through the Tagger, save/load."""

from __future__ import annotations

import helpers_models
import pytest
import torch

from clinical_ner.evaluation.metrics import bio_strict
from clinical_ner.labels import ENTITY_TYPES, bio_labels
from clinical_ner.models.encoders.bilstm import BiLSTMEncoder, WordCharTokenizer, build_bilstm_encoder
from clinical_ner.models.encoders.spec import EncoderSpec
from clinical_ner.models.tagger import Tagger
from clinical_ner.models.train.job import train
from clinical_ner.models.units.alignment import collate, make_windows

TRAIN = helpers_models.make_sentences(80, seed=11)
TEST = helpers_models.make_sentences(30, seed=13)


def test_tokenizer_word_id_first_then_characters():
    tokenizer = WordCharTokenizer.train([["Aspirin", "daily"], ["aspirin"]], vocab_size=100)
    encoded = tokenizer([["ASPIRIN", "xyz"]], is_split_into_words=True)
    ids, owners = encoded["input_ids"][0], encoded.word_ids(0)
    assert ids[0] == tokenizer.word_index["aspirin"] and owners[:8] == [0] * 8  # word id + 7 characters
    assert ids[8] == tokenizer.unk_token_id and owners[8:] == [1] * 4  # unknown word keeps its characters
    assert all(i >= tokenizer.char_offset for i in ids[1:8])


def test_encoder_states_sit_on_word_positions():
    encoder, tokenizer = build_bilstm_encoder([s.tokens for s in TRAIN], 16, 8, 1, 500, seed=0)
    windows = make_windows(tokenizer, TEST[:4], 512)
    batch = collate(windows, tokenizer.pad_token_id)
    encoder.eval()
    out = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    assert out.shape == (*batch["input_ids"].shape, 16) and encoder.config.hidden_size == 16
    at_words = out.gather(1, batch["word_index"].unsqueeze(-1).expand(-1, -1, 16))
    assert (at_words[batch["word_mask"]].abs().sum(-1) > 0).all()
    single = encoder(**{k: batch[k][:1] for k in ("input_ids", "attention_mask")}).last_hidden_state
    length = int(batch["attention_mask"][0].sum())
    assert torch.allclose(single[0, :length], out[0, :length], atol=1e-5)  # padding does not leak


@pytest.mark.parametrize("head", ["apt", "crf"])
def test_bilstm_tagger_learns_and_round_trips(tmp_path, head):
    spec = EncoderSpec(name="bilstm", source="bilstm", n_layers=1, dim=32, hidden_dim=32, vocab_size=500)
    settings = helpers_models.tiny_settings(epochs=8, learning_rate=0.01, max_length=512)
    train(spec, head, bio_labels(), settings, TRAIN, None, tmp_path / "m")
    tagger = Tagger.load(tmp_path / "m")
    assert isinstance(tagger.encoder, BiLSTMEncoder)
    predicted = tagger.predict(TEST)
    rows = [{**s.to_dict(), "pred": p} for s, p in zip(TEST, predicted)]
    assert bio_strict(rows, ENTITY_TYPES).loc["micro avg", "f1"] > 0.8
    assert Tagger.load(tmp_path / "m").predict(TEST) == predicted
