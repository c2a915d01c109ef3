"""Per-word label probabilities: CRF forward-backward marginals against brute-force enumeration, Apt softmax."""

from __future__ import annotations

import itertools

import helpers_models  # noqa: F401  (offline mode, threads)
import pytest
import torch
from helpers_crf import path_marginals, random_crf

from clinical_ner.models.heads.layers import AptHead

N_TAGS = 3


@torch.no_grad()
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_crf_marginals_match_brute_force_with_padding(seed):
    head = random_crf(seed)
    generator = torch.Generator().manual_seed(100 + seed)
    lengths = [4, 1, 3, 2]
    words = torch.randn(len(lengths), max(lengths), N_TAGS, generator=generator) * 2
    mask = torch.tensor([[t < n for t in range(max(lengths))] for n in lengths])
    marginals = head.marginals(words, mask)
    assert marginals.shape == (len(lengths), max(lengths), N_TAGS)
    for row, n in enumerate(lengths):
        expected = path_marginals(head, words[row, :n], list(itertools.product(range(N_TAGS), repeat=n)))
        torch.testing.assert_close(marginals[row, :n].double(), expected, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(marginals[row, :n].sum(-1), torch.ones(n), atol=1e-5, rtol=0)
        assert bool((marginals[row, n:] == 0).all())


@torch.no_grad()
def test_crf_marginals_sum_to_one_and_peak_on_viterbi_for_peaked_inputs():
    head = random_crf(7)
    generator = torch.Generator().manual_seed(3)
    words = torch.randn(5, 30, N_TAGS, generator=generator)
    mask = torch.ones(5, 30, dtype=torch.bool)
    mask[2, 11:] = False
    marginals = head.marginals(words, mask)
    sums = marginals.sum(-1)
    torch.testing.assert_close(sums[mask], torch.ones(int(mask.sum())), atol=1e-5, rtol=0)
    assert float(marginals.min()) >= 0.0
    # with one-hot emissions far above the transitions, the marginals concentrate on the Viterbi path
    sharp = torch.nn.functional.one_hot(words.argmax(-1), N_TAGS).float() * 40
    best = head.decode(sharp, mask)
    peaked = head.marginals(sharp, mask)
    for row, path in enumerate(best):
        assert peaked[row, : len(path)].argmax(-1).tolist() == path
        assert float(peaked[row, : len(path)].max(-1).values.min()) > 0.99


@torch.no_grad()
def test_apt_probabilities_are_the_softmax():
    head = AptHead(4, N_TAGS, dropout=0.0).eval()
    words = torch.randn(2, 5, 4)
    mask = torch.tensor([[True] * 5, [True, True, False, False, False]])
    probabilities = head.marginals(words, mask)
    expected = head.emissions(words).softmax(-1)
    torch.testing.assert_close(probabilities[0], expected[0])
    torch.testing.assert_close(probabilities[1, :2], expected[1, :2])
    assert bool((probabilities[1, 2:] == 0).all())
    assert [row.argmax(-1).tolist()[: int(m.sum())] for row, m in zip(probabilities, mask)] == head.decode(words, mask)


@torch.no_grad()
def test_constrained_crf_marginals_match_enumeration_of_valid_paths():
    from clinical_ner.models.heads.decoding import allowed_transitions, is_valid

    labels = ["O", "B-X", "I-X"]
    head = random_crf(11, N_TAGS, constraints=allowed_transitions(labels), scale=1.0)
    generator = torch.Generator().manual_seed(11)
    torch.randn(N_TAGS * N_TAGS + 2 * N_TAGS, generator=generator)  # the draws random_crf made
    words = torch.randn(2, 4, N_TAGS, generator=generator) * 2
    mask = torch.tensor([[True] * 4, [True, True, True, False]])
    marginals = head.marginals(words, mask)
    for row, n in enumerate([4, 3]):
        paths = [p for p in itertools.product(range(N_TAGS), repeat=n) if is_valid([labels[i] for i in p])]
        expected = path_marginals(head, words[row, :n], paths)
        torch.testing.assert_close(marginals[row, :n].double(), expected, atol=1e-5, rtol=1e-5)
        assert float(marginals[row, 0, 2]) == 0.0  # a sentence never starts with I-X
    best = head.decode(words, mask)
    assert all(is_valid([labels[i] for i in path]) for path in best)


@torch.no_grad()
@pytest.mark.parametrize("scale", [30.0, 120.0])
def test_crf_marginals_stay_exact_with_large_scores(scale):
    """The recursions multiply by exp(transitions) shifted by their maximum: transition and emission
    scores far beyond exp()'s float32 range still give the enumerated marginals."""
    head = random_crf(7, scale=scale)
    words = torch.randn(2, 4, N_TAGS, generator=torch.Generator().manual_seed(3)) * scale
    mask = torch.tensor([[True] * 4, [True, True, False, False]])
    marginals = head.marginals(words, mask)
    assert bool(torch.isfinite(marginals).all())
    for row, n in enumerate((4, 2)):
        expected = path_marginals(head, words[row, :n], list(itertools.product(range(N_TAGS), repeat=n)))
        torch.testing.assert_close(marginals[row, :n].double(), expected, atol=1e-4, rtol=1e-4)
