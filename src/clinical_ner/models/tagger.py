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
from clinical_ner.data.records import Sentence
from clinical_ner.models.alignment import Window, collate, gather_words, make_windows, stitch, window_report
from clinical_ner.models.decoding import allowed_transitions, check_decoding
from clinical_ner.models.device import autocast, pick_device
from clinical_ner.models.encoders import load_pretrained, quiet_transformers
from clinical_ner.models.heads import make_head

TAGGER_FILE = "tagger.json"
HEAD_FILE = "head.pt"
ENCODER_DIR = "encoder"


def _versions() -> dict[str, str]:
    import tokenizers
    import torchcrf
    import transformers

    return {
        "clinical_ner": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "pytorch-crf": getattr(torchcrf, "__version__", "unknown"),
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
    """Encoder + head (`apt` or `crf`) over first sub-words, with its BIO label list."""

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

    def decode(self, batch: dict[str, torch.Tensor]) -> list[list[int]]:
        words = self.word_vectors(batch)
        with torch.autocast(device_type=words.device.type, enabled=False):
            return self.head.decode(words.float(), batch["word_mask"], batch["sentence_start"])

    def encode_labels(self, tags: Sequence[str]) -> list[int]:
        try:
            return [self.label_ids[t] for t in tags]
        except KeyError as error:
            raise ValueError(f"tag {error.args[0]!r} is not in the tagger's label set") from None

    def windows(self, sentences: Sequence[Sentence | Sequence[str]], with_labels: bool = False) -> list[Window]:
        label_ids = None
        if with_labels:
            label_ids = [self.encode_labels(s.tags) for s in sentences]  # type: ignore[union-attr]
        return make_windows(self.tokenizer, sentences, self.max_length, label_ids)

    def window_report(self, sentences: Sequence[Sentence], tags: Sequence[Sequence[str]] | None = None) -> dict[str, int]:
        """`alignment.window_report` of the sentences' windows, counting the entities of `tags` (default:
        the sentences' own tags)."""
        tags = tags if tags is not None else [s.tags for s in sentences]
        return window_report(self.windows(sentences), tags)

    def to_batch(self, windows: Sequence[Window]) -> dict[str, torch.Tensor]:
        device = self.device
        return {k: v.to(device) for k, v in collate(windows, self.pad_id).items()}

    # -- prediction ----------------------------------------------------------------------------------
    @torch.inference_mode()
    def _run_windows(
        self, windows: Sequence[Window], batch_size: int, with_loss: bool
    ) -> tuple[float, list[torch.Tensor]]:
        """Per-word label scores of each window [n_words, n_labels] (CPU, fp32) in eval mode, windows
        sorted by length for speed; and the mean loss per window when `with_loss` (windows with labels)."""
        was_training = self.training
        self.eval()
        total = 0.0
        scores: list[torch.Tensor | None] = [None] * len(windows)
        try:
            order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
            with autocast(self.device):
                for b in range(0, len(order), max(1, batch_size)):
                    chunk = order[b: b + batch_size]
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
            decoded: list[list[Any]] = self.head.decode_emissions(emissions, mask)
            if with_probabilities:
                decoded = chosen_probabilities(decoded, self.head.marginals_emissions(emissions, mask))
            for i, ids in zip(chunk, decoded):
                out[i] = ids
        return out

    def predict_ids(self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int = 32) -> list[list[int]]:
        """One label id per word of each sentence."""
        windows = self.windows(sentences)
        _, scores = self._run_windows(windows, batch_size, with_loss=False)
        n_words = [len(s.tokens) if isinstance(s, Sentence) else len(s) for s in sentences]
        return self._decode(windows, scores, n_words, batch_size)

    def predict_scored(
        self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int = 32
    ) -> list[list[tuple[int, float]]]:
        """(label id, its probability) per word: the decoded label and the head's marginal probability of
        that label at that word (CRF: forward-backward marginal; Apt: softmax)."""
        windows = self.windows(sentences)
        _, scores = self._run_windows(windows, batch_size, with_loss=False)
        n_words = [len(s.tokens) if isinstance(s, Sentence) else len(s) for s in sentences]
        return self._decode(windows, scores, n_words, batch_size, with_probabilities=True)

    def score(self, sentences: Sequence[Sentence], batch_size: int = 32) -> tuple[float, list[list[int]]]:
        """(Mean loss per window against the sentences' tags, one predicted label id per word)."""
        windows = self.windows(sentences, with_labels=True)
        loss, scores = self._run_windows(windows, batch_size, with_loss=True)
        return loss, self._decode(windows, scores, [len(s.tokens) for s in sentences], batch_size)

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
            "encoder_name": self.encoder_name,
            "encoder_source": self.encoder_source,
            "encoder_class": type(self.encoder).__name__,
            "versions": _versions(),
        }

    def save(self, folder: str | Path) -> Path:
        """Write encoder + tokenizer (save_pretrained) to folder/encoder, head weights and tagger.json."""
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
        )
        state = torch.load(folder / HEAD_FILE, map_location="cpu", weights_only=True)
        tagger.head.load_state_dict(state)
        tagger.to(pick_device(device))
        tagger.eval()
        return tagger
