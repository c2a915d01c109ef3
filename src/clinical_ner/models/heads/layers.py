"""Classification heads over WORD-level sequences (the first sub-word vector of each word).

Both heads take ``words`` [batch, n_words, dim] and a boolean ``mask`` [batch, n_words] whose first column
is always on (padding only at the end), and offer ``loss(words, mask, labels)`` and
``decode(words, mask) -> list[list[int]]`` (one label id per unmasked word). ``decode_emissions`` does the
same from the per-word scores of ``emissions(words)`` (e.g. scores stitched from a sentence's windows).
All accept an optional ``sentence_start`` [batch] (bool: the row's first word starts its sentence; all
rows when omitted).

- ``apt``: dropout + linear, softmax / cross-entropy per word (padding ignored); decoding = argmax, or
  with constraints the Viterbi path over the log-probabilities that never takes a forbidden transition.
- ``crf``: dropout + linear emissions + the transition scores of a ``torchcrf.CRF`` (its parameters, so
  saved models keep their layout); loss = negative log-likelihood averaged over the batch, decoding =
  Viterbi, both by `decoding` (batched over rows, one tensor step per word position, no per-row Python
  work). The CRF scores and decodes over first sub-words only. With constraints the forbidden
  transitions are masked (-inf) in training and in decoding.

Both also offer ``marginals(words, mask)`` and ``marginals_emissions(emissions, mask)`` -> [batch, n_words,
n_labels]: each word's probability of each label (``apt``: the softmax; ``crf``: the exact marginals of the
linear-chain CRF by forward-backward, over the same transition scores as its decoding, constraints
included), 0 at padded positions. They give the confidence of a prediction.

Constraints are the ``(start_allowed[n], allowed[n, n])`` masks of `decoding.allowed_transitions`; they are
kept as non-persistent buffers, so the saved weights are the same with or without them.
"""

from __future__ import annotations

import torch
from torch import nn
from torchcrf import CRF

from clinical_ner.models.heads.decoding import log_likelihood, masked, start_scores, viterbi

HEAD_TYPES = ("apt", "crf")
Constraints = tuple[torch.Tensor, torch.Tensor]


def _require(condition: torch.Tensor, message: str) -> None:
    """ValueError(message) unless the boolean tensor `condition` holds: at once on the CPU; on an
    accelerator as an asynchronous device assertion, so that the check never makes the host wait."""
    if condition.device.type == "cpu":
        if not bool(condition):
            raise ValueError(message)
    else:
        torch._assert_async(condition, message)


def _check_mask(mask: torch.Tensor) -> torch.Tensor:
    mask = mask.bool()
    message = "word mask must be [batch, n_words] with the first position of every row on"
    if mask.dim() != 2 or mask.size(1) == 0:
        raise ValueError(message)
    _require(mask[:, 0].all(), message)
    return mask


class LinearHead(nn.Module):
    """Dropout + linear layer giving per-word label scores (fp32)."""

    start_allowed: torch.Tensor
    allowed: torch.Tensor

    def __init__(self, dim: int, n_labels: int, dropout: float = 0.1, constraints: Constraints | None = None) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(dim, n_labels)
        self.constrained = constraints is not None
        if constraints is not None:
            start_allowed, allowed = constraints
            if start_allowed.shape != (n_labels,) or allowed.shape != (n_labels, n_labels):
                raise ValueError(f"constraints must be masks of shape [{n_labels}] and [{n_labels}, {n_labels}]")
            self.register_buffer("start_allowed", start_allowed.bool().clone(), persistent=False)
            self.register_buffer("allowed", allowed.bool().clone(), persistent=False)

    def constrained_scores(
        self, start: torch.Tensor, transitions: torch.Tensor, sentence_start: torch.Tensor | None, batch: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-row start scores [batch, n] and transition scores [n, n] with the forbidden ones at -inf."""
        return start_scores(start, self.start_allowed, sentence_start, batch), masked(transitions, self.allowed)

    def emissions(self, words: torch.Tensor) -> torch.Tensor:
        return self.linear(self.dropout(words)).float()

    def decode_emissions(
        self, emissions: torch.Tensor, mask: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> list[list[int]]:
        """One label id per unmasked word from per-word scores [batch, n_words, n_labels]."""
        raise NotImplementedError

    def decode(
        self, words: torch.Tensor, mask: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> list[list[int]]:
        return self.decode_emissions(self.emissions(words), mask, sentence_start)

    def marginals_emissions(
        self, emissions: torch.Tensor, mask: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Per-word label probabilities [batch, n_words, n_labels] from per-word scores; 0 at padding."""
        raise NotImplementedError

    def marginals(
        self, words: torch.Tensor, mask: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> torch.Tensor:
        return self.marginals_emissions(self.emissions(words), mask, sentence_start)


class AptHead(LinearHead):
    """Dropout + linear layer; per-word softmax."""

    kind = "apt"

    def loss(
        self, words: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Mean cross-entropy over the unmasked words."""
        mask = _check_mask(mask)
        logits = self.emissions(words)
        target = labels.masked_fill(~mask, -100)
        return nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)), target.reshape(-1), ignore_index=-100
        )

    def decode_emissions(
        self, emissions: torch.Tensor, mask: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> list[list[int]]:
        mask = _check_mask(mask)
        if self.constrained:
            scores = torch.log_softmax(emissions, -1)
            n = scores.size(-1)
            zeros = scores.new_zeros(n)
            start, transitions = self.constrained_scores(zeros, scores.new_zeros(n, n), sentence_start, scores.size(0))
            return viterbi(scores, mask, start, transitions, zeros)
        best = emissions.argmax(-1)
        lengths = mask.sum(1).tolist()
        return [row[:n] for row, n in zip(best.tolist(), lengths)]

    def marginals_emissions(
        self, emissions: torch.Tensor, mask: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The softmax of each word's scores (constraints do not change it); 0 at padding."""
        mask = _check_mask(mask)
        return emissions.float().softmax(-1) * mask.unsqueeze(-1)


class CRFHead(LinearHead):
    """Dropout + linear emissions + linear-chain CRF (torchcrf, batch_first)."""

    kind = "crf"

    def __init__(self, dim: int, n_labels: int, dropout: float = 0.1, constraints: Constraints | None = None) -> None:
        super().__init__(dim, n_labels, dropout, constraints)
        self.crf = CRF(n_labels, batch_first=True)

    def transition_scores(
        self, sentence_start: torch.Tensor | None, batch: int
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(start [batch, n], transitions [n, n], end [n]) as used in training and decoding: forbidden
        transitions at -inf when constrained."""
        crf = self.crf
        if self.constrained:
            start, transitions = self.constrained_scores(crf.start_transitions, crf.transitions, sentence_start, batch)
        else:
            start, transitions = crf.start_transitions.unsqueeze(0).expand(batch, -1), crf.transitions
        return start, transitions, crf.end_transitions

    def loss(
        self, words: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Negative log-likelihood of the gold label sequences, averaged over the batch."""
        mask = _check_mask(mask)
        labels = labels.masked_fill(~mask, 0)  # padded positions must hold a valid id
        llh = log_likelihood(self.emissions(words), labels, mask, *self.transition_scores(sentence_start, labels.size(0)))
        if self.constrained:
            _require(torch.isfinite(llh).all(),
                     "gold tags with an impossible IOB2 transition (e.g. O -> I-X) under constrained decoding")
        return -llh.mean()

    def decode_emissions(
        self, emissions: torch.Tensor, mask: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> list[list[int]]:
        mask = _check_mask(mask)
        return viterbi(emissions, mask, *self.transition_scores(sentence_start, emissions.size(0)))

    def marginals_emissions(
        self, emissions: torch.Tensor, mask: torch.Tensor, sentence_start: torch.Tensor | None = None
    ) -> torch.Tensor:
        """P(label of word t = l | sentence) under the CRF, by forward-backward; rows sum to 1."""
        mask = _check_mask(mask)
        return crf_marginals(emissions, mask, *self.transition_scores(sentence_start, emissions.size(0)))


def _log_matmul(scores: torch.Tensor, exp_matrix: torch.Tensor) -> torch.Tensor:
    """log(exp(scores) @ exp_matrix) per row, shifted by each row's maximum: one matrix product instead of
    a log-sum-exp over a [batch, n, n] tensor (ten times fewer operations per word position)."""
    top = scores.max(dim=1, keepdim=True).values
    return ((scores - top).exp() @ exp_matrix).log() + top


def crf_marginals(
    emissions: torch.Tensor, mask: torch.Tensor, start: torch.Tensor, transitions: torch.Tensor, end: torch.Tensor
) -> torch.Tensor:
    """Forward-backward marginals in log space: emissions [b, t, n], mask [b, t] (a prefix of each row is
    on), start [b, n], transitions [n, n] (prev, cur), end [n] (-inf entries: forbidden); 0 at padding.
    Each position's recursion is one batched matrix product with exp(transitions) (forbidden: 0), in
    float64 so that transition scores spanning hundreds of nats neither overflow nor underflow."""
    emissions, transitions, start, end = emissions.double(), transitions.double(), start.double(), end.double()
    shift = transitions.max()
    forward_matrix = (transitions - shift).exp()
    backward_matrix = forward_matrix.t().contiguous()
    n_words = emissions.size(1)
    alphas = [start + emissions[:, 0]]
    for t in range(1, n_words):
        step = _log_matmul(alphas[-1], forward_matrix) + shift + emissions[:, t]
        alphas.append(torch.where(mask[:, t: t + 1], step, alphas[-1]))
    last = end.expand_as(alphas[0])
    betas = [last]
    for t in range(n_words - 2, -1, -1):
        step = _log_matmul(emissions[:, t + 1] + betas[-1], backward_matrix) + shift
        betas.append(torch.where(mask[:, t + 1: t + 2], step, last))
    scores = torch.stack(alphas, 1) + torch.stack(betas[::-1], 1)
    return (scores.softmax(-1) * mask.unsqueeze(-1)).float()


def make_head(
    kind: str, dim: int, n_labels: int, dropout: float = 0.1, constraints: Constraints | None = None
) -> AptHead | CRFHead:
    """A head; with `constraints` (see `decoding.allowed_transitions`) it only decodes valid sequences."""
    if kind == "apt":
        return AptHead(dim, n_labels, dropout, constraints)
    if kind == "crf":
        return CRFHead(dim, n_labels, dropout, constraints)
    raise ValueError(f"unknown head {kind!r}; expected one of {', '.join(HEAD_TYPES)}")
