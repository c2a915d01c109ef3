"""Valid IOB2 decoding: allowed transitions, constrained Viterbi and CRF likelihood against brute force,
both heads never decode an impossible sequence, the setting travels with a saved model."""

from __future__ import annotations

import itertools

import helpers_models
import pytest
import torch

from clinical_ner.labels import bio_labels
from clinical_ner.models.heads.decoding import allowed_transitions, is_valid
from clinical_ner.models.heads.layers import AptHead, CRFHead, make_head
from clinical_ner.models.tagger import Tagger

TINY = ["O", "B-A", "I-A", "B-B", "I-B"]


def test_allowed_transitions_of_the_study_labels() -> None:
    labels = bio_labels()
    start, allowed = allowed_transitions(labels)
    index = {label: i for i, label in enumerate(labels)}
    assert not start[index["I-Drug"]] and start[index["B-Drug"]] and start[index["O"]]
    assert allowed[index["B-Drug"], index["I-Drug"]] and allowed[index["I-Drug"], index["I-Drug"]]
    for prev in ("O", "B-ADE", "I-ADE"):
        assert not allowed[index[prev], index["I-Drug"]]
    assert allowed[:, index["O"]].all() and allowed[:, index["B-Reason"]].all()
    # every forbidden pair is exactly an invalid two-tag sequence
    for p, c in itertools.product(labels, labels):
        assert bool(allowed[index[p], index[c]]) == is_valid([p, c], starts_sentence=False)


def test_is_valid() -> None:
    assert is_valid(["O", "B-A", "I-A", "I-A", "B-B", "O"])
    assert not is_valid(["O", "I-A"]) and not is_valid(["B-A", "I-B"]) and not is_valid(["I-A"])
    assert is_valid(["I-A", "O"], starts_sentence=False)  # a window continuing an entity


def constrained(kind: str, seed: int, n: int = len(TINY)) -> AptHead | CRFHead:
    """A head over TINY whose emissions are its input, with random CRF transitions."""
    generator = torch.Generator().manual_seed(seed)
    head = make_head(kind, n, n, dropout=0.0, constraints=allowed_transitions(TINY))
    with torch.no_grad():
        head.linear.weight.copy_(torch.eye(n))
        head.linear.bias.zero_()
        if isinstance(head, CRFHead):
            head.crf.transitions.copy_(torch.randn(n, n, generator=generator) * 2)
            head.crf.start_transitions.copy_(torch.randn(n, generator=generator) * 2)
            head.crf.end_transitions.copy_(torch.randn(n, generator=generator) * 2)
    return head.eval()


def path_score(head: AptHead | CRFHead, emissions: torch.Tensor, path: tuple[int, ...]) -> float:
    if isinstance(head, AptHead):
        logp = torch.log_softmax(emissions, -1)
        return float(sum(logp[t, k] for t, k in enumerate(path)))
    crf = head.crf
    score = crf.start_transitions[path[0]] + emissions[0, path[0]]
    for t in range(1, len(path)):
        score = score + crf.transitions[path[t - 1], path[t]] + emissions[t, path[t]]
    return float(score + crf.end_transitions[path[-1]])


def valid_paths(length: int, starts_sentence: bool):
    for path in itertools.product(range(len(TINY)), repeat=length):
        if is_valid([TINY[k] for k in path], starts_sentence):
            yield path


@pytest.mark.parametrize("kind", ["apt", "crf"])
@pytest.mark.parametrize("seed", range(4))
@torch.no_grad()
def test_constrained_viterbi_matches_exhaustive_search_over_valid_paths(kind: str, seed: int) -> None:
    """A padded batch of lengths 4, 1, 3, 2 (rows 2 and 3 continue a sentence): each row decodes to the
    best valid path found by enumerating every sequence."""
    head = constrained(kind, seed)
    generator = torch.Generator().manual_seed(300 + seed)
    lengths = [4, 1, 3, 2]
    starts = torch.tensor([True, True, False, False])
    emissions = torch.randn(len(lengths), 4, len(TINY), generator=generator) * 3
    mask = torch.zeros(len(lengths), 4, dtype=torch.bool)
    for row, n in enumerate(lengths):
        mask[row, :n] = True
    decoded = head.decode(emissions, mask, starts)
    for row, n in enumerate(lengths):
        scores = {p: path_score(head, emissions[row, :n], p) for p in valid_paths(n, bool(starts[row]))}
        assert tuple(decoded[row]) == max(scores, key=scores.get)


@pytest.mark.parametrize("seed", range(4))
@torch.no_grad()
def test_constrained_crf_likelihood_normalises_over_valid_paths_only(seed: int) -> None:
    head = constrained("crf", seed)
    generator = torch.Generator().manual_seed(400 + seed)
    length = 4
    emissions = torch.randn(2, length, len(TINY), generator=generator) * 2
    mask = torch.ones(2, length, dtype=torch.bool)
    starts = torch.tensor([True, False])
    gold = torch.tensor([[1, 2, 0, 3], [2, 2, 0, 0]])  # B-A I-A O B-B ; I-A I-A O O (continues an entity)
    expected = []
    for row in range(2):
        scores = [path_score(head, emissions[row], p) for p in valid_paths(length, bool(starts[row]))]
        log_z = float(torch.logsumexp(torch.tensor(scores, dtype=torch.float64), 0))
        expected.append(log_z - path_score(head, emissions[row], tuple(gold[row].tolist())))
    assert float(head.loss(emissions, mask, gold, starts)) == pytest.approx(sum(expected) / 2, rel=1e-5, abs=1e-5)
    with pytest.raises(ValueError, match="impossible IOB2 transition"):
        head.loss(emissions, mask, torch.tensor([[0, 2, 0, 0], [0, 0, 0, 0]]), starts)


def test_masked_transitions_get_no_gradient_and_the_loss_stays_finite() -> None:
    head = constrained("crf", 0)
    head.train()
    words = torch.randn(3, 6, len(TINY), requires_grad=True)
    mask = torch.ones(3, 6, dtype=torch.bool)
    gold = torch.tensor([[1, 2, 2, 0, 3, 4], [0] * 6, [3, 4, 0, 1, 0, 0]])
    loss = head.loss(words, mask, gold)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(words.grad).all()
    _, allowed = allowed_transitions(TINY)
    grad = head.crf.transitions.grad
    assert torch.isfinite(grad).all() and bool((grad[~allowed] == 0).all()) and bool(grad[allowed].abs().sum() > 0)


@pytest.mark.parametrize("kind", ["apt", "crf"])
@torch.no_grad()
def test_no_decoded_sequence_is_invalid_on_random_emissions(kind: str) -> None:
    labels = bio_labels()
    generator = torch.Generator().manual_seed(7)
    free = make_head(kind, len(labels), len(labels), dropout=0.0).eval()
    head = make_head(kind, len(labels), len(labels), dropout=0.0, constraints=allowed_transitions(labels)).eval()
    head.load_state_dict(free.state_dict())  # the same weights: only the constraints differ
    emissions = torch.randn(64, 30, len(labels), generator=generator) * 4
    lengths = torch.randint(1, 31, (64,), generator=generator)
    mask = torch.arange(30).unsqueeze(0) < lengths.unsqueeze(1)
    starts = torch.rand(64, generator=generator) < 0.7
    paths = head.decode(emissions, mask, starts)
    assert [len(p) for p in paths] == lengths.tolist()
    assert all(is_valid([labels[k] for k in p], bool(s)) for p, s in zip(paths, starts))
    unconstrained = free.decode(emissions, mask)  # shows the check can fail
    assert not all(is_valid([labels[k] for k in p]) for p in unconstrained)


@pytest.mark.parametrize("kind", ["apt", "crf"])
def test_tagger_saves_its_decoding_and_predicts_valid_tags(tmp_path, kind: str) -> None:
    tagger = helpers_models.tiny_tagger(kind, max_length=12)
    assert tagger.decoding == "constrained" and tagger.config()["decoding"] == "constrained"
    long = "The patient was started on aspirin 81 mg PO daily for hypertension .".split() * 6
    sentences = [long, long[:7], ["aspirin"]]
    assert len(tagger.windows([long])) > 1
    pred = tagger.predict(sentences)
    assert [len(p) for p in pred] == [len(s) for s in sentences]
    assert all(is_valid(p) for p in pred)  # windowed or not: each sentence is decoded whole
    tagger.save(tmp_path / "m")
    assert Tagger.load(tmp_path / "m").decoding == "constrained"
    assert set(torch.load(tmp_path / "m" / "head.pt")) == set(make_head(kind, 4, 19).state_dict())
    free = Tagger(tagger.encoder, tagger.tokenizer, kind, bio_labels(), decoding="unconstrained")
    assert not free.head.constrained
    free.save(tmp_path / "u")
    assert Tagger.load(tmp_path / "u").decoding == "unconstrained"
    with pytest.raises(ValueError, match="unknown decoding"):
        Tagger(tagger.encoder, tagger.tokenizer, kind, bio_labels(), decoding="greedy")
