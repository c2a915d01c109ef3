"""A tagger: encoder + word-level head + label set; saved to and loaded from a folder alone."""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from clinical_ner import __version__
from clinical_ner.data.records import Sentence, words_of
from clinical_ner.models.device import autocast, pick_device, to_device
from clinical_ner.models.encoders.pretrained import load_pretrained, quiet_transformers
from clinical_ner.models.heads.decoding import allowed_transitions, check_decoding
from clinical_ner.models.heads.layers import make_head
from clinical_ner.models.units.alignment import Window, collate, gather_words, make_windows, sorted_chunks, stitch
from clinical_ner.models.units.subwords import (
    MAX_SUBWORDS,
    UNITS,
    continuation_ids,
    subword_rows,
    subword_windows,
    word_predictions,
)

TAGGER_FILE = "tagger.json"
HEAD_FILE = "head.pt"
ENCODER_DIR = "encoder"
CPU_PASS_TOKENS = 1024
"""Padded sub-words per forward pass at most on the CPU (`batch_size` windows at most everywhere): fewer
pad positions, and activations that stay in cache (benchmarks/predict_speed.py --corpus phee)."""


def _versions() -> dict[str, str]:
    """Versions of what the model was built with, from the installed packages' metadata (importing
    transformers only to read its version would cost a BiLSTM job a second)."""
    from importlib import metadata

    return {
        "clinical_ner": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": metadata.version("transformers"),
        "tokenizers": metadata.version("tokenizers"),
        "pytorch-crf": metadata.version("pytorch-crf"),
    }


def encoder_limit(encoder: nn.Module, tokenizer: Any, max_length: int) -> int:
    """The longest input (special tokens included) the encoder accepts: min of the setting, the position
    embeddings and the tokenizer's own limit."""
    limits = [int(max_length)]
    positions = getattr(encoder.config, "max_position_embeddings", None)
    if positions:
        limits.append(int(positions))
    model_max = getattr(tokenizer, "model_max_length", None)
    if model_max and model_max < 10**6:
        limits.append(int(model_max))
    return min(limits)


def chosen_probabilities(decoded: Sequence[Sequence[int]], probabilities: torch.Tensor) -> list[list[tuple[int, float]]]:
    """Pair each decoded label id with its probability in `probabilities` [batch, n_words, n_labels]."""
    ids = torch.zeros(probabilities.shape[:2], dtype=torch.long)
    for r, row in enumerate(decoded):
        ids[r, : len(row)] = torch.tensor(row, dtype=torch.long)
    chosen = probabilities.gather(-1, ids.to(probabilities.device).unsqueeze(-1)).squeeze(-1).tolist()
    return [list(zip(row, chosen[r][: len(row)])) for r, row in enumerate(decoded)]


class Tagger(nn.Module):
    """Encoder + head (`apt` or `crf`) over labelled units, with its BIO label list.

    Units are each word's first sub-word (``units="word"``), or every sub-word of the sentence's first
    `max_subwords` (``units="subword"``, the study's protocol, see `models.units.subwords`). Either way
    `predict` gives one tag per word; `score` and `unit_tags` work on the units.
    """

    quantized = False  # set by `quantization.quantize_encoder`: prediction only, never saved
    _remembered: dict[tuple[str, ...], list[Any]] | None = None  # `remember_predictions`

    def __init__(
        self,
        encoder: nn.Module,
        tokenizer: Any,
        head: str,
        labels: Sequence[str],
        dropout: float = 0.1,
        max_length: int = 512,
        encoder_name: str = "",
        encoder_source: str = "",
        head_module: nn.Module | None = None,
        decoding: str = "constrained",
        units: str = "word",
        max_subwords: int = MAX_SUBWORDS,
    ) -> None:
        super().__init__()
        if len(set(labels)) != len(labels) or not labels:
            raise ValueError("labels must be a non-empty list without duplicates")
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.head_type = head
        self.labels = list(labels)
        self.label_ids = {label: i for i, label in enumerate(self.labels)}
        self.dropout = float(dropout)
        self.max_length = encoder_limit(encoder, tokenizer, max_length)
        self.encoder_name = encoder_name
        self.encoder_source = encoder_source
        self.decoding = check_decoding(decoding)
        if units not in UNITS:
            raise ValueError(f"unknown units {units!r}; expected one of {', '.join(UNITS)}")
        self.units = units
        self.max_subwords = int(max_subwords)
        constraints = allowed_transitions(self.labels) if self.decoding == "constrained" else None
        dim = int(encoder.config.hidden_size)
        self.head = (
            head_module if head_module is not None else make_head(head, dim, len(self.labels), dropout, constraints)
        )

    # -- tensors -------------------------------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def pad_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return int(pad) if pad is not None else 0

    def word_vectors(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Encoder output at the first sub-word of each word: [batch, n_words, dim]."""
        out = self.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        return gather_words(out.last_hidden_state, batch["word_index"])

    def loss(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        words = self.word_vectors(batch)
        with torch.autocast(device_type=words.device.type, enabled=False):
            return self.head.loss(words.float(), batch["word_mask"], batch["labels"], batch["sentence_start"])

    def encode_labels(self, tags: Sequence[str]) -> list[int]:
        try:
            return [self.label_ids[t] for t in tags]
        except KeyError as error:
            raise ValueError(f"tag {error.args[0]!r} is not in the tagger's label set") from None

    def windows(self, sentences: Sequence[Sentence | Sequence[str]], with_labels: bool = False) -> list[Window]:
        label_ids = None
        if with_labels:
            label_ids = [self.encode_labels(s.tags) for s in sentences]  # type: ignore[union-attr]
        if self.units == "subword":
            return subword_windows(
                self.tokenizer, [words_of(s) for s in sentences], self.max_subwords, label_ids, continuation_ids(self.labels)
            )
        return make_windows(self.tokenizer, sentences, self.max_length, label_ids)

    def unit_rows(self, sentences: Sequence[Sentence]) -> list[dict[str, Any]]:
        """Per sentence, its units: ``subwords``, gold ``subword_tags`` and ``subwords_truncated`` for
        sub-word units; for word units the sentence's own tokens and tags (nothing truncated)."""
        if self.units == "subword":
            return subword_rows(self.tokenizer, [s.tokens for s in sentences], [s.tags for s in sentences], self.max_subwords)
        return [{"subwords": list(s.tokens), "subword_tags": list(s.tags), "subwords_truncated": 0} for s in sentences]

    def unit_tags(self, sentences: Sequence[Sentence]) -> list[list[str]]:
        """The gold tags of the scoring units: the words' tags, or the kept sub-words' tags."""
        if self.units == "subword":
            return [row["subword_tags"] for row in self.unit_rows(sentences)]
        return [list(s.tags) for s in sentences]

    def _unit_counts(self, windows: Sequence[Window], sentences: Sequence[Sentence | Sequence[str]]) -> list[int]:
        if self.units == "word":
            return [len(words_of(s)) for s in sentences]
        counts = [0] * len(sentences)
        for window in windows:
            counts[window.sentence] = window.n_words
        return counts

    def to_batch(self, windows: Sequence[Window]) -> dict[str, torch.Tensor]:
        return to_device(collate(windows, self.pad_id), self.device)

    # -- prediction ----------------------------------------------------------------------------------
    @torch.inference_mode()
    def _run_windows(
        self, windows: Sequence[Window], batch_size: int, with_loss: bool
    ) -> tuple[float, list[torch.Tensor]]:
        """Per-word label scores of each window [n_words, n_labels] (CPU, fp32) in eval mode, windows sorted
        by length and cut by `sorted_chunks` for speed; and the mean loss per window when `with_loss`
        (windows with labels)."""
        was_training = self.training
        self.eval()
        total = 0.0
        scores: list[torch.Tensor | None] = [None] * len(windows)
        try:
            max_tokens = CPU_PASS_TOKENS if self.device.type == "cpu" else None
            with autocast(self.device):
                for chunk in sorted_chunks([len(w) for w in windows], batch_size, max_tokens):
                    batch = self.to_batch([windows[i] for i in chunk])
                    words = self.word_vectors(batch)
                    with torch.autocast(device_type=words.device.type, enabled=False):
                        words = words.float()
                        if with_loss:
                            loss = self.head.loss(words, batch["word_mask"], batch["labels"], batch["sentence_start"])
                            total += float(loss) * len(chunk)
                        emissions = self.head.emissions(words).cpu()
                    for row, i in enumerate(chunk):
                        scores[i] = emissions[row, : windows[i].n_words]
        finally:
            self.train(was_training)
        return total / max(len(windows), 1), scores  # type: ignore[return-value]

    @torch.inference_mode()
    def _decode(
        self, windows: Sequence[Window], scores: Sequence[torch.Tensor], n_words: Sequence[int], batch_size: int,
        with_probabilities: bool = False,
    ) -> list[list[Any]]:
        """One label id per word: the windows' scores stitched per sentence, each sentence decoded whole;
        with `with_probabilities`, (label id, the head's probability of that label at that word) pairs."""
        stitched = stitch(windows, scores, n_words)
        out: list[list[Any]] = [[] for _ in n_words]
        order = sorted((i for i, n in enumerate(n_words) if n), key=lambda i: n_words[i])
        for b in range(0, len(order), max(1, batch_size)):
            chunk = order[b: b + batch_size]
            longest = max(n_words[i] for i in chunk)
            emissions = torch.zeros(len(chunk), longest, len(self.labels))
            mask = torch.zeros(len(chunk), longest, dtype=torch.bool)
            for row, i in enumerate(chunk):
                emissions[row, : n_words[i]] = stitched[i]
                mask[row, : n_words[i]] = True
            emissions, mask = emissions.to(self.device), mask.to(self.device)
            decoded: list[list[Any]] = self.head.decode_emissions(emissions, mask)
            if with_probabilities:
                decoded = chosen_probabilities(decoded, self.head.marginals_emissions(emissions, mask))
            for i, ids in zip(chunk, decoded):
                out[i] = ids
        return out

    def predict_units(
        self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int = 32, with_probabilities: bool = False
    ) -> list[list[Any]]:
        """One label id per unit (word, or kept sub-word) of each sentence; with `with_probabilities`,
        (label id, the head's probability of that label there) pairs (CRF: marginal; Apt: softmax)."""
        if with_probabilities and self._remembered is not None:
            return self._from_memory(sentences, batch_size)
        return self._units(sentences, batch_size, with_probabilities)

    def _units(self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int, with_probabilities: bool) -> list[list[Any]]:
        windows = self.windows(sentences)
        _, scores = self._run_windows(windows, batch_size, with_loss=False)
        return self._decode(windows, scores, self._unit_counts(windows, sentences), batch_size, with_probabilities)

    def remember_predictions(self) -> None:
        """From now on, `predict_units(..., with_probabilities=True)` (and so `predict_scored`) scores each
        distinct word sequence once and answers it from memory after that: a test set tagged as sentence
        rows and then again as raw notes runs the encoder once. The answers are the model's own (the same
        words give the same prediction); the memory lives as long as the tagger."""
        if self._remembered is None:
            self._remembered = {}

    def _from_memory(self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int) -> list[list[Any]]:
        memory = self._remembered
        assert memory is not None
        keys = [tuple(words_of(s)) for s in sentences]
        new = {key: sentence for key, sentence in zip(keys, sentences) if key not in memory}
        if new:
            memory.update(zip(new, self._units(list(new.values()), batch_size, with_probabilities=True)))
        return [list(memory[key]) for key in keys]

    def words_from_units(
        self, sentences: Sequence[Sentence | Sequence[str]], units: Sequence[Sequence[Any]], outside: Any = None
    ) -> list[list[Any]]:
        """Per-word predictions from per-unit ones (sub-word units: each word's first piece; a word cut off
        entirely gets `outside`, by default the id of `O`)."""
        if self.units == "word":
            return [list(row) for row in units]
        outside = self.label_ids.get("O", 0) if outside is None else outside
        return word_predictions(self.tokenizer, [words_of(s) for s in sentences], units, outside)

    def predict_ids(self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int = 32) -> list[list[int]]:
        """One label id per word of each sentence."""
        return self.words_from_units(sentences, self.predict_units(sentences, batch_size))

    def predict_scored(
        self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int = 32
    ) -> list[list[tuple[int, float]]]:
        """(label id, its probability) per word: the decoded label and the head's marginal probability of
        that label at that word (CRF: forward-backward marginal; Apt: softmax); a word cut off by sub-word
        units is `O` with probability 0 (the model never saw it)."""
        units = self.predict_units(sentences, batch_size, with_probabilities=True)
        return self.words_from_units(sentences, units, outside=(self.label_ids.get("O", 0), 0.0))

    def score(self, sentences: Sequence[Sentence], batch_size: int = 32) -> tuple[float, list[list[int]]]:
        """(Mean loss per window against the sentences' tags, one predicted label id per unit)."""
        windows = self.windows(sentences, with_labels=True)
        loss, scores = self._run_windows(windows, batch_size, with_loss=True)
        return loss, self._decode(windows, scores, self._unit_counts(windows, sentences), batch_size)

    def predict(self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int = 32) -> list[list[str]]:
        """One BIO tag per word (same length as each sentence's tokens)."""
        return [[self.labels[i] for i in row] for row in self.predict_ids(sentences, batch_size)]

    # -- persistence ---------------------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {
            "format": 1,
            "labels": self.labels,
            "head": self.head_type,
            "dropout": self.dropout,
            "max_length": self.max_length,
            "decoding": self.decoding,
            "units": self.units,
            "max_subwords": self.max_subwords,
            "encoder_name": self.encoder_name,
            "encoder_source": self.encoder_source,
            "encoder_class": type(self.encoder).__name__,
            "versions": _versions(),
        }

    def save(self, folder: str | Path) -> Path:
        """Write encoder + tokenizer (save_pretrained) to folder/encoder, head weights and tagger.json."""
        if self.quantized:
            raise ValueError("a tagger with a quantised encoder predicts only; save the model before quantising")
        folder = Path(folder)
        (folder / ENCODER_DIR).mkdir(parents=True, exist_ok=True)
        with quiet_transformers():
            self.encoder.save_pretrained(folder / ENCODER_DIR)
            self.tokenizer.save_pretrained(folder / ENCODER_DIR)
        state = {k: v.detach().cpu() for k, v in self.head.state_dict().items()}
        torch.save(state, folder / HEAD_FILE)
        (folder / TAGGER_FILE).write_text(json.dumps(self.config(), indent=2) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device | None = None) -> Tagger:
        """Load a tagger written by `save` from the folder alone (no network), in eval mode."""
        folder = Path(folder)
        config_path = folder / TAGGER_FILE
        if not config_path.is_file():
            raise FileNotFoundError(f"{config_path}: not a saved tagger (tagger.json missing)")
        config = json.loads(config_path.read_text(encoding="utf-8"))
        encoder, tokenizer = load_pretrained(folder / ENCODER_DIR)
        tagger = cls(
            encoder, tokenizer, config["head"], config["labels"], dropout=config.get("dropout", 0.1),
            max_length=config.get("max_length", 512), encoder_name=config.get("encoder_name", ""),
            encoder_source=config.get("encoder_source", ""),
            decoding=config.get("decoding", "unconstrained"),  # models saved before the setting decoded freely
            units=config.get("units", "word"), max_subwords=config.get("max_subwords", MAX_SUBWORDS),
        )
        state = torch.load(folder / HEAD_FILE, map_location="cpu", weights_only=True)
        tagger.head.load_state_dict(state)
        tagger.to(pick_device(device))
        tagger.eval()
        return tagger
