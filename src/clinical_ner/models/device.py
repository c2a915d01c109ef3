"""Device selection and mixed precision: CUDA when available (bf16 autocast, else fp16 + GradScaler),
otherwise CPU in float32."""

from __future__ import annotations

import contextlib
from typing import Any

import torch


def pick_device(preferred: str | torch.device | None = None) -> torch.device:
    """`preferred` when given ("cpu", "cuda", "cuda:1"), else CUDA if available, else CPU."""
    if preferred is not None and str(preferred) != "auto":
        return torch.device(preferred)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """The autocast dtype for `device`: bf16 on CUDA when supported, fp16 on other CUDA cards, None on CPU."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def autocast(device: torch.device) -> contextlib.AbstractContextManager[Any]:
    """A mixed-precision context for forward passes on `device` (a no-op on CPU)."""
    dtype = amp_dtype(device)
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def grad_scaler(device: torch.device) -> Any | None:
    """A GradScaler when training in fp16 (CUDA without bf16); None otherwise."""
    if amp_dtype(device) == torch.float16:
        return torch.amp.GradScaler(device.type)
    return None


def set_threads(threads: int | None) -> None:
    """Fix the number of intra-op CPU threads (results on CPU are deterministic for a fixed count)."""
    if threads is not None and threads > 0:
        torch.set_num_threads(int(threads))


def describe(device: torch.device) -> str:
    """A human-readable device description for summaries, e.g. ``cuda:0 (NVIDIA H100, bf16)``."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        dtype = amp_dtype(device)
        precision = "bf16" if dtype == torch.bfloat16 else "fp16"
        return f"cuda:{index} ({torch.cuda.get_device_name(index)}, {precision})"
    return f"cpu ({torch.get_num_threads()} threads, fp32)"
