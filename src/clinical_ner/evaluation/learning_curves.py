"""Learning curves: test scores against the training-set size, and where pre-training stops paying off.

Input: one row per trained model (``model, regime, fraction, seed, train_documents, train_sentences`` and
the scores ``bio_macro_f1``, ``span_strict_f1``). :func:`curve_table` averages over seeds (``{metric}_sd``
beside each mean); :func:`crossing_points` compares, at each size, the best pre-trained model with the best
from-scratch model (mean over seeds) and reports the smallest size from which the pre-trained models no
longer score higher, or that they never stop doing so in the range.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

CURVE_METRICS: tuple[str, ...] = ("bio_macro_f1", "span_strict_f1")
KEYS: tuple[str, ...] = ("model", "regime", "fraction", "train_documents", "train_sentences")


def curve_table(runs: pd.DataFrame, metrics: Sequence[str] = CURVE_METRICS) -> pd.DataFrame:
    """Mean and sd over seeds per (model, regime, fraction): ``KEYS``, ``n_seeds``, then metric, metric_sd."""
    missing = (set(KEYS) | {"seed", *metrics}) - set(runs.columns)
    if missing:
        raise ValueError(f"learning-curve runs lack the columns {sorted(missing)}")
    grouped = runs.groupby(list(KEYS), sort=False)
    table = grouped[list(metrics)].mean()
    sd = grouped[list(metrics)].std(ddof=1).fillna(0.0).add_suffix("_sd")
    table = pd.concat([grouped["seed"].nunique().rename("n_seeds"), table, sd], axis=1).reset_index()
    ordered = [*KEYS, "n_seeds"] + [c for m in metrics for c in (m, f"{m}_sd")]
    return table[ordered].sort_values(["regime", "model", "fraction"], kind="stable").reset_index(drop=True)


def crossing_statement(advantage: np.ndarray, sizes: np.ndarray, unit: str) -> tuple[float, str]:
    """(crossing size, statement) from the advantage of the pre-trained models at each size (ascending).
    The crossing is the smallest size from which the advantage stays <= 0 (NaN if there is none); the
    statement says where they lead and where not, naming the sizes whenever the lead is not simply kept
    up to the crossing (e.g. behind at small sizes and ahead at the largest)."""
    lead = advantage > 0
    crossing = next((k for k in range(len(lead)) if not lead[k:].any()), None)

    def at(mask: np.ndarray) -> str:
        return ", ".join(str(int(s)) for s in sizes[mask])

    if lead.all():
        return float("nan"), f"pre-trained models score higher at every size up to {int(sizes[-1])} training {unit}"
    if not lead.any():
        return float("nan"), (f"pre-trained models never score higher than the from-scratch models "
                              f"(from {int(sizes[0])} training {unit} on)")
    if crossing is None:
        return float("nan"), (f"pre-trained models score higher at {at(lead)} training {unit} and not at "
                              f"{at(~lead)}")
    if lead[:crossing].all():
        return int(sizes[crossing]), (f"pre-trained models stop scoring higher at {int(sizes[crossing])} training "
                                      f"{unit} (they lead below)")
    below = np.arange(len(lead)) < crossing
    return int(sizes[crossing]), (f"pre-trained models stop scoring higher at {int(sizes[crossing])} training {unit} "
                                  f"(below it they lead at {at(lead & below)}, not at {at(~lead & below)})")


def crossing_points(
    table: pd.DataFrame, from_scratch: Sequence[str], metrics: Sequence[str] = CURVE_METRICS,
    size: str = "train_sentences", pretrained: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per regime and metric: ``advantage_smallest`` / ``advantage_largest`` (best pre-trained minus best
    from-scratch mean score at the smallest and largest size), ``crossing_size`` (the smallest size from
    which the advantage stays <= 0; NaN if none) and a one-sentence ``statement`` (`crossing_statement`).

    `pretrained` names the models with real pre-training (default: every model not in `from_scratch`);
    models in neither list (e.g. random-init stand-ins) take no part."""
    records = []
    scratch = set(from_scratch)
    for regime, part in table.groupby("regime", sort=False):
        is_pretrained = part["model"].isin(pretrained) if pretrained is not None else ~part["model"].isin(scratch)
        pretrained_part = part[is_pretrained]
        baseline = part[part["model"].isin(scratch)]
        for metric in metrics:
            record = {"regime": regime, "metric": metric, "advantage_smallest": float("nan"),
                      "advantage_largest": float("nan"), "crossing_size": float("nan")}
            if pretrained_part.empty or baseline.empty:
                record["statement"] = "needs both pre-trained and from-scratch models"
                records.append(record)
                continue
            best = pd.DataFrame({
                "pretrained": pretrained_part.groupby("fraction")[metric].max(),
                "scratch": baseline.groupby("fraction")[metric].max(),
                "size": part.groupby("fraction")[size].max(),
            }).dropna().sort_index()
            advantage = (best["pretrained"] - best["scratch"]).to_numpy()
            sizes = best["size"].to_numpy()
            record["advantage_smallest"], record["advantage_largest"] = float(advantage[0]), float(advantage[-1])
            record["crossing_size"], record["statement"] = crossing_statement(advantage, sizes, size.split("_")[1])
            records.append(record)
    return pd.DataFrame(records, columns=["regime", "metric", "advantage_smallest", "advantage_largest",
                                          "crossing_size", "statement"])
