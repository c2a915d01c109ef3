"""Training settings: the one dataclass, with the defaults. Allowed values are the config schema's
(`definitions/settings`, checked here too, so a setting given in Python is held to the same rules);
tests/test_settings_schema.py checks that the schema and the dataclass agree on names, types, allowed
values and defaults. `threads` is not a config setting: the workflow sets it from the job's threads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from clinical_ner.data.records import SettingsRecord
from clinical_ner.models.units.subwords import MAX_SUBWORDS

SELECTION_TEXT = {  # which epoch of a run is kept
    "macro_f1": "validation macro-F1, ties: lower validation loss",
    "val_loss": "minimum validation loss",
}
EPOCH_SELECTIONS = tuple(SELECTION_TEXT)
COMPILE_MODES: tuple[bool | str, ...] = (False, True, "cudagraphs")  # eager | torch.compile | with CUDA graphs


@dataclass
class TrainSettings(SettingsRecord):
    kind = "training setting"

    learning_rate: float = 5e-5
    head_learning_rate: float | None = None  # None: learning_rate
    epochs: int = 10
    batch_size: int = 16
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0  # 0: no gradient clipping (the study)
    dropout: float = 0.1
    patience: int = 3            # epochs without improvement before stopping; <= 0 disables early stopping
    seed: int = 42
    max_length: int = 512        # sub-word ids per window, special tokens included
    threads: int = 1             # torch CPU threads
    eval_batch_size: int = 64
    decoding: str = "constrained"  # constrained: valid IOB2 only (training and decoding); unconstrained: as the study
    units: str = "word"          # word: each word's first sub-word is labelled; subword: every sub-word (the study)
    max_subwords: int = MAX_SUBWORDS  # sub-word units only: pieces kept per sentence, the rest cut off
    max_steps: int | None = None  # optimiser steps per run; None/0: no cap (the epoch reaching it is the last)
    epoch_selection: str = "macro_f1"  # macro_f1 (ties: lower loss) | val_loss: the epoch of minimum validation loss
    compile: bool | str = False  # one of COMPILE_MODES: torch.compile the encoder (same results up to rounding)

    def __post_init__(self) -> None:
        check_settings({name: value for name, value in asdict(self).items() if name not in JOB_SETTINGS})


JOB_SETTINGS = ("threads",)  # set by the workflow from the job, not by the config


def check_settings(values: dict[str, Any]) -> None:
    """Raise ValueError naming the first setting the config schema does not allow."""
    import jsonschema

    from clinical_ner.config import schema

    definitions = schema()["definitions"]
    validator = jsonschema.Draft7Validator({**definitions["settings"], "definitions": definitions})
    for error in sorted(validator.iter_errors(values), key=lambda e: list(e.absolute_path)):
        where = "/".join(map(str, error.absolute_path)) or "settings"
        raise ValueError(f"training setting {where}: {error.message}")
