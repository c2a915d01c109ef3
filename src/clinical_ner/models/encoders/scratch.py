"""The from-scratch Transformer encoder: DistilBERT with the configured sizes (or a shipped architecture at
full size), randomly initialised, with a WordPiece vocabulary trained on the training split."""

from __future__ import annotations

from typing import Any

import torch

from clinical_ner.models.encoders.pretrained import load_pretrained, quiet_transformers
from clinical_ner.models.encoders.shipped import shipped_config
from clinical_ner.models.encoders.spec import EncoderSpec, WordLists
from clinical_ner.models.encoders.wordpiece import train_wordpiece


def build_scratch_encoder(spec: EncoderSpec, train_sentences: WordLists, seed: int = 0) -> tuple[Any, Any]:
    """An encoder with `spec`'s architecture, randomly initialised (seeded), and a WordPiece tokenizer
    trained on `train_sentences` only (or `spec.tokenizer`, e.g. the study's distilbert-base-cased
    tokenizer). The architecture is DistilBERT with `spec`'s sizes, or the shipped settings of
    `spec.architecture_of`; the embedding has the architecture's size even when fewer pieces were learned."""
    from transformers import AutoModel, DistilBertConfig

    if spec.architecture_of:
        config = shipped_config(spec.architecture_of)
    else:
        config = DistilBertConfig(
            vocab_size=spec.vocab_size, dim=spec.dim, n_layers=spec.n_layers, n_heads=spec.n_heads,
            hidden_dim=spec.hidden_dim, max_position_embeddings=spec.max_position_embeddings,
        )
    if spec.tokenizer:
        tokenizer = load_pretrained(spec.tokenizer, tokenizer_only=True)[1]
    else:
        tokenizer = train_wordpiece(
            train_sentences, int(config.vocab_size), spec.lowercase, int(config.max_position_embeddings)
        )
    config.vocab_size = max(int(config.vocab_size), len(tokenizer))
    config.pad_token_id = tokenizer.pad_token_id
    torch.manual_seed(seed)
    with quiet_transformers():
        model = AutoModel.from_config(config)
    return model, tokenizer
