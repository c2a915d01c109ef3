"""Parameter counts of a tagger (or any module): total, trainable, encoder and head."""

from __future__ import annotations

from torch import nn


def _count(module: nn.Module | None, trainable_only: bool = False) -> int:
    if module is None:
        return 0
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def count_parameters(model: nn.Module) -> dict[str, int]:
    """``{"total", "trainable", "encoder", "head"}`` for a Tagger (or any module with ``encoder`` /
    ``head`` attributes); a plain module counts entirely as encoder, with head 0."""
    encoder = getattr(model, "encoder", None)
    head = getattr(model, "head", None)
    if not isinstance(encoder, nn.Module) and not isinstance(head, nn.Module):
        encoder, head = model, None
    return {
        "total": _count(model),
        "trainable": _count(model, trainable_only=True),
        "encoder": _count(encoder if isinstance(encoder, nn.Module) else None),
        "head": _count(head if isinstance(head, nn.Module) else None),
    }
