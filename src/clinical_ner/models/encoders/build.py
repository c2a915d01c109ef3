"""An encoder for a spec: built from the training split (Transformer, BiLSTM) or loaded pre-trained."""

from __future__ import annotations

from typing import Any

from clinical_ner.data.records import words_of
from clinical_ner.models.encoders.bilstm import BILSTM, build_bilstm_encoder
from clinical_ner.models.encoders.pretrained import load_pretrained
from clinical_ner.models.encoders.scratch import build_scratch_encoder
from clinical_ner.models.encoders.spec import EncoderSpec, WordLists


def load_encoder(spec: EncoderSpec, train_sentences: WordLists | None = None, seed: int = 0) -> tuple[Any, Any]:
    """(model, tokenizer) for `spec`: from scratch (needs `train_sentences`), else `load_pretrained`."""
    if spec.is_scratch:
        if train_sentences is None:
            raise ValueError(f"encoder {spec.name!r} is built from scratch: training sentences are required")
        if spec.source == BILSTM:
            return build_bilstm_encoder([words_of(s) for s in train_sentences], spec.dim, spec.hidden_dim,
                                        spec.n_layers, spec.vocab_size, seed=seed)
        return build_scratch_encoder(spec, train_sentences, seed=seed)
    return load_pretrained(spec.source)
