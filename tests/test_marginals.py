"""Per-word label probabilities: CRF forward-backward marginals against brute-force enumeration, Apt softmax."""

from __future__ import annotations

import itertools

import helpers_models  # noqa: F401  (offline mode, threads)
import pytest
import torch

from clinical_ner.models.heads import AptHead, CRFHead

N_TAGS = 3


def random_crf(seed: int) -> CRFHead:
    """A CRF head whose emissions are its input (identity linear layer), with random transitions."""
    generator = torch.Generator().manual_seed(seed)
    head = CRFHead(N_TAGS, N_TAGS, dropout=0.0)
    with torch.no_grad():
        head.linear.weight.copy_(torch.eye(N_TAGS))
        head.linear.bias.zero_()
        for parameter in (head.crf.transitions, head.crf.start_transitions, head.crf.end_transitions):
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 2)
    return head.eval()


def enumerate_marginals(head: CRFHead, emissions: torch.Tensor) -> torch.Tensor:
    """[length, N_TAGS] marginals by summing exp(score) over all N_TAGS ** length label sequences."""
    crf = head.crf
    length = emissions.size(0)
    paths = list(itertools.product(range(N_TAGS), repeat=length))
    scores = []
    for path in paths:
        score = crf.start_transitions[path[0]] + emissions[0, path[0]] + crf.end_transitions[path[-1]]
        for t in range(1, length):
            score = score + crf.transitions[path[t - 1], path[t]] + emissions[t, path[t]]
        scores.append(score)
    probabilities = torch.stack(scores).double().softmax(0)
    out = torch.zeros(length, N_TAGS, dtype=torch.double)
    for path, p in zip(paths, probabilities):
        for t, label in enumerate(path):
            out[t, label] += p
    return out


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
        expected = enumerate_marginals(head, words[row, :n])
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
    from clinical_ner.models.decoding import allowed_transitions, is_valid
    from clinical_ner.models.heads import make_head

    labels = ["O", "B-X", "I-X"]
    head = make_head("crf", N_TAGS, N_TAGS, dropout=0.0, constraints=allowed_transitions(labels)).eval()
    generator = torch.Generator().manual_seed(11)
    with torch.no_grad():
        head.linear.weight.copy_(torch.eye(N_TAGS))
        head.linear.bias.zero_()
        for parameter in (head.crf.transitions, head.crf.start_transitions, head.crf.end_transitions):
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    words = torch.randn(2, 4, N_TAGS, generator=generator) * 2
    mask = torch.tensor([[True] * 4, [True, True, True, False]])
    marginals = head.marginals(words, mask)
    crf = head.crf
    for row, n in enumerate([4, 3]):
        paths = [p for p in itertools.product(range(N_TAGS), repeat=n) if is_valid([labels[i] for i in p])]
        scores = []
        for path in paths:
            score = crf.start_transitions[path[0]] + words[row, 0, path[0]] + crf.end_transitions[path[-1]]
            for t in range(1, n):
                score = score + crf.transitions[path[t - 1], path[t]] + words[row, t, path[t]]
            scores.append(score)
        probabilities = torch.stack(scores).double().softmax(0)
        expected = torch.zeros(n, N_TAGS, dtype=torch.double)
        for path, p in zip(paths, probabilities):
            for t, label in enumerate(path):
                expected[t, label] += p
        torch.testing.assert_close(marginals[row, :n].double(), expected, atol=1e-5, rtol=1e-5)
        assert float(marginals[row, 0, 2]) == 0.0  # a sentence never starts with I-X
    best = head.decode(words, mask)
    assert all(is_valid([labels[i] for i in path]) for path in best)
