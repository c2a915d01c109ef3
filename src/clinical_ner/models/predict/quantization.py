"""int8 dynamic quantisation of a Tagger's encoder for CPU prediction.

`torch.ao.quantization.quantize_dynamic` replaces each ``nn.Linear`` of the encoder by one with int8
weights, one scale per output unit (per channel: on PHEE much closer to the fp32 scores than one scale
per matrix), whose activations are quantised on the fly, batch by batch; embeddings, layer norms and the
head stay fp32, so the CRF's transition scores, Viterbi and marginals are unchanged. It runs on the CPU only
(x86/ARM int8 kernels) and is for prediction only (the quantised layers cannot be trained or saved as a
Tagger). Its speed and accuracy change on PHEE are measured by `benchmarks/predict_speed.py --corpus phee`.

Upstream, `torch.ao.quantization` is deprecated in favour of torchao; the torch pinned in pyproject.toml still
has it (its deprecation warnings are silenced here), and `tests/test_quantization.py` fails on one that does not.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:
    from clinical_ner.models.tagger import Tagger


def quantize_encoder(tagger: Tagger) -> Tagger:
    """The tagger with its encoder's linear layers quantised to int8 (dynamic), in eval mode."""
    if tagger.device.type != "cpu":
        raise ValueError(f"int8 dynamic quantisation runs on the CPU only; the model is on {tagger.device}")
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    tagger.eval()
    with warnings.catch_warnings():  # torch >= 2.10 announces the move of these kernels to torchao
        warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated")
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor, torch\.quantize_per_channel")
        tagger.encoder = quantize_dynamic(tagger.encoder, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
    tagger.quantized = True
    return tagger
