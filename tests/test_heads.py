"""Heads: CRF Viterbi and NLL against brute force, Apt loss ignores padding, parameter counts."""

from __future__ import annotations

import itertools

import helpers_models
import pytest
import torch
from helpers_crf import path_score, random_crf

from clinical_ner.models.heads.layers import AptHead, CRFHead, make_head
from clinical_ner.models.sizes.counts import count_parameters

N_TAGS = 3


def brute_force(head: CRFHead, emissions: torch.Tensor) -> tuple[tuple[int, ...], float]:
    """Best path and log partition function by enumerating all N_TAGS ** length sequences."""
    scores = {
        path: float(path_score(head, emissions, path))
        for path in itertools.product(range(N_TAGS), repeat=emissions.size(0))
    }
    best = max(scores, key=scores.get)
    log_z = float(torch.logsumexp(torch.tensor(list(scores.values()), dtype=torch.float64), 0))
    return best, log_z


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("length", [1, 2, 3, 4])
def test_viterbi_matches_brute_force_single(seed: int, length: int) -> None:
    head = random_crf(seed)
    emissions = torch.randn(length, N_TAGS, generator=torch.Generator().manual_seed(100 + seed)) * 2
    mask = torch.ones(1, length, dtype=torch.bool)
    decoded = head.decode(emissions.unsqueeze(0), mask)
    best, _ = brute_force(head, emissions)
    assert decoded == [list(best)]


@pytest.mark.parametrize("seed", range(5))
@torch.no_grad()
def test_viterbi_and_nll_match_brute_force_with_padding(seed: int) -> None:
    """A padded batch of lengths 4, 1, 3, 2: each row decodes to its own brute-force optimum, padding is
    ignored, and the loss is the batch mean of log Z - score(gold)."""
    head = random_crf(seed)
    generator = torch.Generator().manual_seed(200 + seed)
    lengths = [4, 1, 3, 2]
    emissions = torch.randn(len(lengths), 4, N_TAGS, generator=generator) * 2
    mask = torch.zeros(len(lengths), 4, dtype=torch.bool)
    for row, n in enumerate(lengths):
        mask[row, :n] = True
    gold = torch.randint(N_TAGS, (len(lengths), 4), generator=generator)
    # garbage in the padding must change nothing
    noisy = emissions.clone()
    noisy[~mask] = 50.0
    noisy_gold = gold.clone()
    noisy_gold[~mask] = N_TAGS - 1
    decoded = head.decode(noisy, mask)
    expected_nll = []
    for row, n in enumerate(lengths):
        best, log_z = brute_force(head, emissions[row, :n])
        assert decoded[row] == list(best)
        expected_nll.append(log_z - float(path_score(head, emissions[row, :n], tuple(gold[row, :n].tolist()))))
    loss = head.loss(noisy, mask, noisy_gold)
    assert float(loss) == pytest.approx(sum(expected_nll) / len(expected_nll), rel=1e-5, abs=1e-5)


def test_crf_rejects_mask_with_first_position_off() -> None:
    head = random_crf(0)
    mask = torch.tensor([[True, True], [False, True]])
    with pytest.raises(ValueError, match="first position"):
        head.decode(torch.zeros(2, 2, N_TAGS), mask)


@torch.no_grad()
def test_apt_loss_ignores_padding() -> None:
    torch.manual_seed(0)
    head = AptHead(8, 5, dropout=0.0).eval()
    words = torch.randn(2, 4, 8)
    mask = torch.tensor([[True, True, True, True], [True, True, False, False]])
    labels = torch.tensor([[0, 1, 2, 3], [4, 0, 0, 0]])
    loss = head.loss(words, mask, labels)
    changed_words = words.clone()
    changed_words[1, 2:] = 100.0
    changed_labels = labels.clone()
    changed_labels[1, 2:] = 3
    assert float(head.loss(changed_words, mask, changed_labels)) == pytest.approx(float(loss), abs=1e-6)
    logits = head.linear(words)
    manual = torch.nn.functional.cross_entropy(logits[mask], labels[mask])
    assert float(loss) == pytest.approx(float(manual), abs=1e-6)
    # a real word's label does matter
    changed_labels[1, 1] = 3
    assert float(head.loss(words, mask, changed_labels)) != pytest.approx(float(loss), abs=1e-6)


def test_apt_decode_is_argmax_per_word_and_trimmed() -> None:
    head = AptHead(3, 3, dropout=0.0).eval()
    with torch.no_grad():
        head.linear.weight.copy_(torch.eye(3))
        head.linear.bias.zero_()
    words = torch.tensor([[[0.0, 1, 0], [2, 0, 0], [0, 0, 3]], [[0, 0, 1], [5, 0, 0], [0, 5, 0]]])
    mask = torch.tensor([[True, True, True], [True, False, False]])
    assert head.decode(words, mask) == [[1, 0, 2], [2]]


def test_make_head_and_parameter_counts() -> None:
    apt, crf = make_head("apt", 16, 19), make_head("crf", 16, 19)
    assert isinstance(apt, AptHead) and isinstance(crf, CRFHead)
    assert count_parameters(apt)["total"] == 16 * 19 + 19
    assert count_parameters(crf)["total"] == 16 * 19 + 19 + 19 * 19 + 2 * 19
    with pytest.raises(ValueError, match="unknown head"):
        make_head("softmax", 16, 19)


def test_count_parameters_of_a_tagger() -> None:
    tagger = helpers_models.tiny_tagger("crf")
    counts = count_parameters(tagger)
    assert counts["total"] == counts["encoder"] + counts["head"] == counts["trainable"]
    assert counts["head"] == 32 * 19 + 19 + 19 * 19 + 2 * 19
    for p in tagger.encoder.parameters():
        p.requires_grad_(False)
    frozen = count_parameters(tagger)
    assert frozen["trainable"] == frozen["head"] and frozen["total"] == counts["total"]


@pytest.mark.parametrize("seed", range(3))
def test_unconstrained_crf_agrees_with_torchcrf_on_padded_batches(seed: int) -> None:
    """The head scores and decodes with the package's batched recursions; torchcrf, whose parameters it
    keeps, gives the same likelihood and the same paths."""
    head = random_crf(seed, n_tags=5)
    generator = torch.Generator().manual_seed(100 + seed)
    emissions = torch.randn(6, 9, 5, generator=generator) * 3
    lengths = torch.tensor([9, 1, 4, 7, 2, 9])
    mask = torch.arange(9).unsqueeze(0) < lengths.unsqueeze(1)
    tags = torch.randint(0, 5, (6, 9), generator=generator).masked_fill(~mask, 0)
    with torch.no_grad():
        ours = head.loss(emissions, mask, tags)
        theirs = -head.crf(emissions, tags, mask=mask, reduction="mean")
    assert torch.allclose(ours, theirs, atol=1e-5)
    assert head.decode(emissions, mask) == head.crf.decode(emissions, mask=mask)
