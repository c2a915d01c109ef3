"""The keep-or-retrain decision of a final model (rule train_final)."""

from __future__ import annotations

from dataclasses import dataclass

from clinical_ner.data.subsets import fraction_id
from clinical_ner.models.train.selection import PINNED


@dataclass(frozen=True)
class FinalTraining:
    """How a final model comes about: `keep` copies the selected candidate (trained on train only, with the
    candidate seed on the whole training split); otherwise it is trained, on train+validation for the
    selected number of epochs when `retrain`, else on train with validation-based early stopping."""

    keep: bool
    retrain: bool


def final_training(
    candidate: str, retrain_on_train_val: bool, fraction: str, seed: int, candidate_seed: int | None
) -> FinalTraining:
    """The decision for a run: `candidate` is the selection's choice (``pinned`` when settings are pinned;
    a pinned model always retrains), `fraction` the training fraction in path form (``1``: all documents)."""
    retrain = retrain_on_train_val or candidate == PINNED
    keep = not retrain and fraction == fraction_id(1.0) and seed == candidate_seed
    return FinalTraining(keep=keep, retrain=retrain)
