"""The shipped architecture settings (``clinical_ner/architectures/*.json``): the public ``config.json``
values of the study's encoders, named after the hub id with ``/`` as ``--``, and transformers configs
built from them (no weights, no network)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any


def _shipped(hub_id: str) -> Any:
    return resources.files("clinical_ner").joinpath("architectures", hub_id.replace("/", "--") + ".json")


def shipped_ids() -> list[str]:
    """Hub ids whose architecture settings ship with the package."""
    folder = resources.files("clinical_ner").joinpath("architectures")
    return sorted(p.name[: -len(".json")].replace("--", "/") for p in folder.iterdir() if p.name.endswith(".json"))


def shipped_settings(hub_id: str) -> dict[str, Any] | None:
    """The shipped ``config.json`` values of a hub id, or None when it is not shipped."""
    path = _shipped(hub_id)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def config_from_settings(settings: Mapping[str, Any]) -> Any:
    """A transformers config (of the settings' ``model_type``) from ``config.json`` values."""
    from transformers import AutoConfig

    values = dict(settings)
    values.pop("architectures", None)
    return AutoConfig.for_model(values.pop("model_type"), **values)


def shipped_config(hub_id: str) -> Any:
    """The transformers config of a shipped hub id; ValueError naming the shipped ids otherwise."""
    settings = shipped_settings(hub_id)
    if settings is None:
        raise ValueError(f"no shipped architecture settings for {hub_id!r}; shipped: {', '.join(shipped_ids())}")
    return config_from_settings(settings)
