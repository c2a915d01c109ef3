"""Classification heads over WORD-level sequences (the first sub-word vector of each word).

Both heads take ``words`` [batch, n_words, dim] and a boolean ``mask`` [batch, n_words] whose first column
is always on (padding only at the end), and offer ``loss(words, mask, labels)`` and
``decode(words, mask) -> list[list[int]]`` (one label id per unmasked word).

- ``apt``: dropout + linear, softmax / cross-entropy per word (padding ignored).
- ``crf``: dropout + linear emissions + ``torchcrf.CRF``; loss = negative log-likelihood averaged over
  the batch, decoding = Viterbi. The CRF scores and decodes over first sub-words only.
"""

from __future__ import annotations

import torch
from torch import nn
from torchcrf import CRF

HEAD_TYPES = ("apt", "crf")


def _check_mask(mask: torch.Tensor) -> torch.Tensor:
    mask = mask.bool()
    if mask.dim() != 2 or mask.size(1) == 0 or not bool(mask[:, 0].all()):
        raise ValueError("word mask must be [batch, n_words] with the first position of every row on")
    return mask


class LinearHead(nn.Module):
    """Dropout + linear layer giving per-word label scores (fp32)."""

    def __init__(self, dim: int, n_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(dim, n_labels)

    def emissions(self, words: torch.Tensor) -> torch.Tensor:
        return self.linear(self.dropout(words)).float()


class AptHead(LinearHead):
    """Dropout + linear layer; per-word softmax."""

    kind = "apt"

    def loss(self, words: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy over the unmasked words."""
        mask = _check_mask(mask)
        logits = self.emissions(words)
        target = labels.masked_fill(~mask, -100)
        return nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)), target.reshape(-1), ignore_index=-100
        )

    def decode(self, words: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        mask = _check_mask(mask)
        best = self.emissions(words).argmax(-1)
        lengths = mask.sum(1).tolist()
        return [row[:n] for row, n in zip(best.tolist(), lengths)]


class CRFHead(LinearHead):
    """Dropout + linear emissions + linear-chain CRF (torchcrf, batch_first)."""

    kind = "crf"

    def __init__(self, dim: int, n_labels: int, dropout: float = 0.1) -> None:
        super().__init__(dim, n_labels, dropout)
        self.crf = CRF(n_labels, batch_first=True)

    def loss(self, words: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood of the gold label sequences, averaged over the batch."""
        mask = _check_mask(mask)
        labels = labels.masked_fill(~mask, 0)  # padded positions must hold a valid id for torchcrf
        return -self.crf(self.emissions(words), labels, mask=mask, reduction="mean")

    def decode(self, words: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        mask = _check_mask(mask)
        return self.crf.decode(self.emissions(words), mask=mask)


def make_head(kind: str, dim: int, n_labels: int, dropout: float = 0.1) -> AptHead | CRFHead:
    if kind == "apt":
        return AptHead(dim, n_labels, dropout)
    if kind == "crf":
        return CRFHead(dim, n_labels, dropout)
    raise ValueError(f"unknown head {kind!r}; expected one of {', '.join(HEAD_TYPES)}")
