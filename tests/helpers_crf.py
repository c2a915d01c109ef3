"""CRF heads with known weights and brute-force references (every label sequence enumerated)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from clinical_ner.models.heads.layers import Constraints, CRFHead, make_head


def random_crf(seed: int, n_tags: int = 3, constraints: Constraints | None = None, scale: float = 2.0) -> CRFHead:
    """A CRF head whose emissions are its input (identity linear layer), with random transitions."""
    head = make_head("crf", n_tags, n_tags, dropout=0.0, constraints=constraints)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        head.linear.weight.copy_(torch.eye(n_tags))
        head.linear.bias.zero_()
        for parameter in (head.crf.transitions, head.crf.start_transitions, head.crf.end_transitions):
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * scale)
    return head.eval()


@torch.no_grad()
def path_score(head: CRFHead, emissions: torch.Tensor, path: Sequence[int]) -> torch.Tensor:
    """Unnormalised score of one label sequence over [length, n_tags] emissions."""
    crf = head.crf
    score = crf.start_transitions[path[0]] + emissions[0, path[0]] + crf.end_transitions[path[-1]]
    for t in range(1, len(path)):
        score = score + crf.transitions[path[t - 1], path[t]] + emissions[t, path[t]]
    return score


@torch.no_grad()
def path_marginals(head: CRFHead, emissions: torch.Tensor, paths: Sequence[Sequence[int]]) -> torch.Tensor:
    """[length, n_tags] marginals over the given label sequences (all of them: the CRF's own marginals)."""
    probabilities = torch.stack([path_score(head, emissions, path) for path in paths]).double().softmax(0)
    out = torch.zeros(emissions.size(0), emissions.size(1), dtype=torch.double)
    for path, p in zip(paths, probabilities):
        for t, label in enumerate(path):
            out[t, label] += p
    return out
