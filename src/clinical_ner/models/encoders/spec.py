"""Where an encoder comes from and its sizes: `EncoderSpec`, one per configured encoder."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clinical_ner.data.records import Sentence, SettingsRecord
from clinical_ner.models.encoders.kinds import kind_of

WordLists = Iterable[Sentence | Sequence[str]]


class EncoderUnavailableError(RuntimeError):
    """An encoder named by a hub id could not be loaded (no network, no cache, unknown id)."""


@dataclass
class EncoderSpec(SettingsRecord):
    """Where an encoder comes from.

    `source` is a Hugging Face hub id (``bert-base-cased``), a local folder written by ``save_pretrained``,
    or ``"scratch"``: a DistilBERT-architecture model with the sizes below, randomly initialised, with a
    WordPiece vocabulary (at most `vocab_size` entries) trained on the training sentences only.
    The sizes are used only for ``scratch``; defaults are those of distilbert-base-cased. With
    ``architecture_of`` (a hub id whose settings ship in ``clinical_ner/architectures``, e.g.
    ``bert-base-cased``), the scratch encoder is that architecture, any model type, at its full size
    (vocabulary included), with random weights: the paper-size smoke run's models. ``"bilstm"``
    builds the word + character BiLSTM of ``models.encoders.bilstm`` from the training sentences (``dim``: word
    embedding size, ``hidden_dim``: LSTM units per direction, ``n_layers``, ``vocab_size``: words kept).
    """

    kind = "encoder setting"

    name: str
    source: str
    n_layers: int = 6
    dim: int = 768
    n_heads: int = 12
    hidden_dim: int = 3072
    vocab_size: int = 28996
    max_position_embeddings: int = 512
    lowercase: bool = False
    tokenizer: str = ""          # scratch only: hub id or folder of a tokenizer to use instead of a learned WordPiece
    architecture_of: str = ""    # scratch only: a shipped hub id whose whole architecture replaces the sizes above

    @property
    def is_scratch(self) -> bool:
        """Built from the training split (no pre-training): ``scratch`` or ``bilstm``."""
        return kind_of(self.source).from_training_split
