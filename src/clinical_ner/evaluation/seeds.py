"""Tables over training seeds: mean +- standard deviation for display, every seed's row kept for the CSV."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

PLUS_MINUS = " ± "


def aggregate_seeds(
    per_seed: Mapping[int, pd.DataFrame], keys: Sequence[str], digits: int = 4
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(display, long) of one table computed once per seed (same rows and columns for every seed).

    ``display``: the key columns, then each numeric column as ``"mean ± sd"`` (sample sd over seeds); with one
    seed, the table itself. ``long``: a leading ``seed`` column with every seed's rows, then rows ``mean`` and
    ``sd`` per key.
    """
    if not per_seed:
        raise ValueError("no seed tables to aggregate")
    frames = [frame.assign(seed=str(seed)) for seed, frame in per_seed.items()]
    stacked = pd.concat(frames, ignore_index=True)
    first = next(iter(per_seed.values()))
    numeric = [c for c in first.columns if c not in keys and pd.api.types.is_numeric_dtype(first[c])]
    order = list(dict.fromkeys(map(tuple, first[list(keys)].to_numpy())))
    if len(keys) == 1:
        order = [key for (key,) in order]
    grouped = stacked.groupby(list(keys), sort=False)[numeric]
    mean = grouped.mean().reindex(order)
    sd = grouped.std(ddof=1).reindex(order).fillna(0.0)
    summary = pd.concat([mean.assign(seed="mean"), sd.assign(seed="sd")]).reset_index()
    long = pd.concat([stacked, summary], ignore_index=True)
    long = long[["seed", *keys, *numeric]]
    if len(per_seed) == 1:
        return first.reset_index(drop=True), long
    display = mean.reset_index()
    for column in numeric:
        display[column] = [
            f"{m:.{digits}f}{PLUS_MINUS}{s:.{digits}f}" for m, s in zip(mean[column], sd[column])
        ]
    return display, long


def leading_number(values: pd.Series) -> pd.Series:
    """Numbers of a column that may hold ``"mean ± sd"`` strings (the mean), NaN where not a number."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    return pd.to_numeric(values.astype(str).str.split(PLUS_MINUS.strip()).str[0].str.strip(), errors="coerce")
