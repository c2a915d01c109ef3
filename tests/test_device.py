"""The device helpers on CPU: copies, and one optimiser step with and without a gradient scaler."""

from __future__ import annotations

import pytest
import torch

from clinical_ner.models.device import amp_dtype, autocast, backward_step, grad_scaler, pick_device, to_device


def _model_and_loss() -> tuple[torch.nn.Linear, torch.Tensor]:
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    loss = (model(torch.randn(8, 4)) ** 2).sum() * 100.0
    return model, loss


def test_cpu_has_no_mixed_precision() -> None:
    cpu = pick_device("cpu")
    assert amp_dtype(cpu) is None and grad_scaler(cpu) is None
    with autocast(cpu):
        assert torch.ones(2).dtype == torch.float32


def test_to_device_keeps_names_and_values() -> None:
    tensors = {"ids": torch.arange(6).view(2, 3), "mask": torch.ones(2, 3, dtype=torch.bool)}
    moved = to_device(tensors, torch.device("cpu"))
    assert set(moved) == {"ids", "mask"}
    assert all(torch.equal(moved[name], tensors[name]) for name in tensors)


@pytest.mark.parametrize("max_norm", [0.0, 0.5])
def test_step_through_a_scaler_equals_the_plain_step(max_norm: float) -> None:
    plain, loss = _model_and_loss()
    backward_step(loss, torch.optim.SGD(plain.parameters(), lr=0.1), plain.parameters(), max_norm, None)
    scaled, loss = _model_and_loss()
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**10)
    backward_step(loss, torch.optim.SGD(scaled.parameters(), lr=0.1), scaled.parameters(), max_norm, scaler)
    for a, b in zip(plain.parameters(), scaled.parameters(), strict=True):
        torch.testing.assert_close(a, b)


def test_clipping_bounds_the_gradient_norm() -> None:
    model, loss = _model_and_loss()
    backward_step(loss, torch.optim.SGD(model.parameters(), lr=0.0), model.parameters(), 0.5, None)
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in model.parameters()]))
    assert norm <= 0.5 + 1e-5
    unclipped, loss = _model_and_loss()
    backward_step(loss, torch.optim.SGD(unclipped.parameters(), lr=0.0), unclipped.parameters(), 0.0, None)
    assert torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in unclipped.parameters()])) > 0.5
