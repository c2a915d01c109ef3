"""Valid IOB2 decoding: which label may follow which, and a batched Viterbi over per-word scores.

In IOB2, `I-X` may only follow `B-X` or `I-X`, and a sentence may not start with `I-X`; every other
transition, and ending on any label, is allowed (AllenNLP's ``allowed_transitions`` for BIO). A window
that starts in the middle of a sentence may start with `I-X` (it can continue an entity of the words
before it), so the start rule applies per row, to rows whose first word starts the sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

DECODING_MODES = ("constrained", "unconstrained")
FORBIDDEN = float("-inf")


def check_decoding(mode: str) -> str:
    if mode not in DECODING_MODES:
        raise ValueError(f"unknown decoding {mode!r}; expected one of {', '.join(DECODING_MODES)}")
    return mode


def _split(label: str) -> tuple[str, str]:
    return (label[0], label[2:]) if label[:2] in ("B-", "I-") else (label, "")


def allowed_transitions(labels: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Boolean masks ``start[n]`` (may begin a sentence) and ``allowed[prev, cur]`` for IOB2 `labels`."""
    parts = [_split(label) for label in labels]
    start = torch.tensor([prefix != "I" for prefix, _ in parts], dtype=torch.bool)
    allowed = torch.ones(len(labels), len(labels), dtype=torch.bool)
    for cur, (prefix, kind) in enumerate(parts):
        if prefix == "I":
            for prev, (prev_prefix, prev_kind) in enumerate(parts):
                allowed[prev, cur] = prev_prefix in ("B", "I") and prev_kind == kind
    return start, allowed


def is_valid(tags: Sequence[str], starts_sentence: bool = True) -> bool:
    """True when the IOB2 tag sequence has no impossible transition."""
    previous = "O"
    for position, tag in enumerate(tags):
        prefix, kind = _split(tag)
        if prefix == "I" and (position > 0 or starts_sentence):
            prev_prefix, prev_kind = _split(previous)
            if prev_prefix not in ("B", "I") or prev_kind != kind:
                return False
        previous = tag
    return True


def masked(scores: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
    """`scores` with the forbidden entries at -inf (gradients reach only the allowed ones)."""
    return scores.masked_fill(~allowed, FORBIDDEN)


def start_scores(
    start: torch.Tensor, start_allowed: torch.Tensor, sentence_start: torch.Tensor | None, batch: int
) -> torch.Tensor:
    """Per-row start scores [batch, n]: forbidden labels masked in rows that start a sentence."""
    rows = start.unsqueeze(0).expand(batch, -1)
    if sentence_start is None:
        sentence_start = torch.ones(batch, dtype=torch.bool, device=start.device)
    forbid = sentence_start.to(start.device).unsqueeze(1) & ~start_allowed.unsqueeze(0)
    return rows.masked_fill(forbid, FORBIDDEN)


def viterbi(
    emissions: torch.Tensor, mask: torch.Tensor, start: torch.Tensor, transitions: torch.Tensor, end: torch.Tensor
) -> list[list[int]]:
    """Best label sequence per row: emissions [b, t, n], mask [b, t] (a prefix of each row is on),
    start [b, n], transitions [n, n] (prev, cur), end [n]; -inf scores are never chosen when a path
    without them exists. Both the forward pass and the back-tracking are batched tensor operations
    (one per word position, on the scores' device); the paths are read back to the host once."""
    batch, length, _ = emissions.shape
    score = start + emissions[:, 0]
    backpointers = torch.zeros(batch, max(length - 1, 0), emissions.size(2), dtype=torch.long, device=emissions.device)
    pairs = transitions.unsqueeze(0)
    for t in range(1, length):
        best, index = (score.unsqueeze(2) + pairs).max(dim=1)
        score = torch.where(mask[:, t].unsqueeze(1), best + emissions[:, t], score)
        backpointers[:, t - 1] = index
    last_position = mask.sum(1) - 1
    best_last = (score + end.unsqueeze(0)).argmax(1)
    paths = torch.zeros(batch, length, dtype=torch.long, device=emissions.device)
    current = best_last
    for t in range(length - 1, -1, -1):
        current = torch.where(last_position == t, best_last, current)
        paths[:, t] = current
        if t > 0:
            current = backpointers[:, t - 1].gather(1, current.unsqueeze(1)).squeeze(1)
    lengths = (last_position + 1).tolist()
    return [row[:n] for row, n in zip(paths.tolist(), lengths)]


def log_likelihood(
    emissions: torch.Tensor,
    tags: torch.Tensor,
    mask: torch.Tensor,
    start: torch.Tensor,
    transitions: torch.Tensor,
    end: torch.Tensor,
) -> torch.Tensor:
    """Linear-chain CRF log-likelihood of `tags` per row (same layout as `viterbi`; tags [b, t]).

    The gold path's score is gathered for all positions at once; only the forward recursion of the
    partition function loops over positions (the loop that dominates the CRF head's cost)."""
    batch, length, _ = emissions.shape
    rows = torch.arange(batch, device=emissions.device)
    emitted = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)
    score = start[rows, tags[:, 0]] + torch.where(mask, emitted, torch.zeros_like(emitted)).sum(1)
    if length > 1:
        moves = transitions[tags[:, :-1], tags[:, 1:]]
        score = score + torch.where(mask[:, 1:], moves, torch.zeros_like(moves)).sum(1)
    alpha = start + emissions[:, 0]
    steps = mask.unsqueeze(2)
    pairs = transitions.unsqueeze(0)
    for t in range(1, length):
        following = torch.logsumexp(alpha.unsqueeze(2) + pairs, dim=1) + emissions[:, t]
        alpha = torch.where(steps[:, t], following, alpha)
    last = tags[rows, mask.sum(1) - 1]
    score = score + end[last]
    return score - torch.logsumexp(alpha + end.unsqueeze(0), dim=1)
