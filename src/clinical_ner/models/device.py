"""Device selection and mixed precision: CUDA when available (bf16 autocast, else fp16 + GradScaler),
otherwise CPU in float32. torch is imported inside the functions, so that jobs without a torch model (the
feature CRF) can import this module and stay torch-free."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


def pick_device(preferred: str | torch.device | None = None) -> torch.device:
    """`preferred` when given ("cpu", "cuda", "cuda:1"), else CUDA if available, else CPU."""
    import torch

    if preferred is not None and str(preferred) != "auto":
        return torch.device(preferred)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """The autocast dtype for `device`: bf16 on CUDA when supported, fp16 on other CUDA cards, None on CPU."""
    if device.type != "cuda":
        return None
    import torch

    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def autocast(device: torch.device) -> contextlib.AbstractContextManager[Any]:
    """A mixed-precision context for forward passes on `device` (a no-op on CPU)."""
    dtype = amp_dtype(device)
    if dtype is None:
        return contextlib.nullcontext()
    import torch

    return torch.autocast(device_type=device.type, dtype=dtype)


def grad_scaler(device: torch.device) -> Any | None:
    """A GradScaler when training in fp16 (CUDA without bf16); None otherwise."""
    dtype = amp_dtype(device)
    if dtype is None:
        return None
    import torch

    return torch.amp.GradScaler(device.type) if dtype == torch.float16 else None


def backward_step(
    loss: torch.Tensor, optimizer: torch.optim.Optimizer, parameters: Any, max_grad_norm: float, scaler: Any | None
) -> None:
    """Back-propagate `loss` and take one optimiser step, clipping the gradients' norm to `max_grad_norm`
    (no clipping when it is 0); through `scaler` when training in fp16, so that small gradients do not
    underflow. The caller zeroes the gradients before the forward pass."""
    import torch

    if scaler is not None:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
    else:
        loss.backward()
    if max_grad_norm > 0:
        torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    if scaler is not None:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()


def to_device(tensors: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    """Host tensors on `device`. To a CUDA device through pinned memory, without waiting: a copy from
    pageable memory first waits for all the GPU work queued before it, so the host could not prepare
    the next step while the GPU runs this one."""
    if device.type != "cuda":
        return {name: tensor.to(device) for name, tensor in tensors.items()}
    return {name: tensor.pin_memory().to(device, non_blocking=True) for name, tensor in tensors.items()}


def set_threads(threads: int | None) -> None:
    """Fix the number of intra-op CPU threads (results on CPU are deterministic for a fixed count)."""
    if threads is not None and threads > 0:
        import torch

        torch.set_num_threads(int(threads))


def torch_threads() -> int:
    """torch's intra-op thread count, or 1 when torch was never imported (a model without torch)."""
    torch = sys.modules.get("torch")
    return int(torch.get_num_threads()) if torch is not None else 1


def describe(device: torch.device) -> str:
    """A human-readable device description for summaries, e.g. ``cuda:0 (NVIDIA H100, bf16)``."""
    import torch

    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        dtype = amp_dtype(device)
        precision = "bf16" if dtype == torch.bfloat16 else "fp16"
        return f"cuda:{index} ({torch.cuda.get_device_name(index)}, {precision})"
    return f"cpu ({torch.get_num_threads()} threads, fp32)"
