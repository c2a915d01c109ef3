"""Encoder architectures without weights, and parameter counts of models built from them (Table I).

`clinical_ner/architectures/` ships the public ``config.json`` settings (layers, hidden size, heads,
intermediate size, vocabulary, positions, token types) of the study's encoders, named after the hub id
with ``/`` as ``--``: ``bert-base-cased``, ``dmis-lab/biobert-base-cased-v1.2``, ``medicalai/ClinicalBERT``
(a DistilBERT with a 119,547-entry vocabulary) and ``distilbert-base-cased`` (the from-scratch model's
architecture, vocabulary 28,996). Models are built on PyTorch's ``meta`` device: the structure and
every parameter's shape are real, no memory is allocated and no weights are read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from clinical_ner.models.encoders.kinds import resolve_source
from clinical_ner.models.encoders.pretrained import is_local_source, quiet_transformers
from clinical_ner.models.encoders.shipped import config_from_settings, shipped_config, shipped_ids, shipped_settings
from clinical_ner.models.encoders.spec import EncoderSpec, EncoderUnavailableError
from clinical_ner.models.heads.layers import make_head

__all__ = ["build_encoder", "encoder_config", "parameter_counts", "shipped_ids", "shipped_settings"]

SCRATCH_ARCHITECTURE = "distilbert-base-cased"
# EncoderSpec's scratch sizes -> DistilBertConfig names
SCRATCH_KEYS = {"n_layers": "n_layers", "dim": "dim", "n_heads": "n_heads", "hidden_dim": "hidden_dim",
                "vocab_size": "vocab_size", "max_position_embeddings": "max_position_embeddings"}


def encoder_config(spec: EncoderSpec, folder: str | Path | None = None) -> Any:
    """The transformers config of an encoder, without weights or network.

    `folder` (a saved encoder, e.g. a stand-in) wins; then ``scratch`` (the shipped settings of its
    ``architecture_of``, else distilbert-base-cased's settings with the spec's sizes), a local folder
    source, a shipped hub id, and finally the local Hugging Face cache (`EncoderUnavailableError`
    naming the download command when it is not there either).
    """
    if folder is not None or (not spec.is_scratch and is_local_source(spec.source)):
        from transformers import AutoConfig

        location = Path(folder if folder is not None else resolve_source(spec.source)).expanduser()
        with quiet_transformers():
            return AutoConfig.from_pretrained(str(location), local_files_only=True)
    if spec.is_scratch and spec.architecture_of:
        return shipped_config(spec.architecture_of)
    if spec.is_scratch:
        settings = dict(shipped_settings(SCRATCH_ARCHITECTURE) or {})
        settings.update({target: getattr(spec, name) for name, target in SCRATCH_KEYS.items()})
        return config_from_settings(settings)
    settings = shipped_settings(spec.source)
    if settings is not None:
        return config_from_settings(settings)
    from transformers import AutoConfig

    try:
        with quiet_transformers():
            return AutoConfig.from_pretrained(spec.source)
    except (OSError, ValueError) as error:
        raise EncoderUnavailableError(
            f"no architecture settings for {spec.source!r}: it is not shipped ({', '.join(shipped_ids())}) "
            f"and not in the local Hugging Face cache. Run `huggingface-cli download {spec.source}` where "
            f"there is network access, or set the encoder source to a local folder saved with save_pretrained."
        ) from error


def _numel(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def build_encoder(config: Any, device: str = "meta") -> torch.nn.Module:
    """A randomly initialised encoder (AutoModel) from a config; on ``meta`` nothing is allocated."""
    from transformers import AutoModel

    with quiet_transformers(), torch.device(device):
        return AutoModel.from_config(config)


def parameter_counts(config: Any, head: str, n_labels: int, device: str = "meta") -> dict[str, int]:
    """``{"total", "trainable", "encoder", "head"}`` of an encoder built from `config` plus a head over
    `n_labels` labels, all trainable (as in the study's Table I)."""
    encoder = _numel(build_encoder(config, device))
    with torch.device(device):
        head_module = make_head(head, int(config.hidden_size), n_labels)
    head_count = _numel(head_module)
    return {"total": encoder + head_count, "trainable": encoder + head_count, "encoder": encoder, "head": head_count}

