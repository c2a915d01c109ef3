"""Which models are trained, on which training fractions and seeds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinical_ner import config as cfg
from clinical_ner.data.subsets import fraction_id

Config = Mapping[str, Any]
Run = dict[str, Any]

# One trained model: its regime, fraction of the training documents and seed.
RUN = "{regime}/f{fraction}/seed{seed}"
FULL = fraction_id(1.0)


def encoders(config: Config) -> list[str]:
    return list(config["encoders"])


def transformer_encoders(config: Config) -> list[str]:
    return [e for e in encoders(config) if cfg.encoder_kind(config, e).transformer]


def stand_in_encoders(config: Config) -> list[str]:
    """Encoders whose folder the pipeline pre-trains on the training split (pretrain_stand_in)."""
    return [e for e in encoders(config) if cfg.encoder_kind(config, e).name == "stand-in"]


def adapted_encoders(config: Config) -> list[str]:
    """Task-adapted encoders, whose folder the pipeline builds (adapt_encoder)."""
    return [e for e in encoders(config) if cfg.encoder_kind(config, e).name == "adapted"]


def heads(config: Config) -> list[str]:
    return list(config["heads"])


def regimes(config: Config) -> list[str]:
    return list(config["regimes"])


def all_models(config: Config) -> list[str]:
    """The neural {encoder}-{head} grid, then the feature CRF baseline when enabled."""
    return cfg.model_names(config) + ([cfg.CRFSUITE_MODEL] if cfg.crfsuite_enabled(config) else [])


def reference_model(config: Config) -> str:
    return f"{config['reference_encoder']}-{heads(config)[0]}"


def sources(config: Config) -> list[str]:
    """The corpus parts read: train, test and, when used, dev."""
    return ["train", "test"] + (["dev"] if config["split"]["use_dev"] else [])


def distribution_parts(config: Config) -> list[tuple[str, str]]:
    """(regime, split) of every sentence file whose labels are counted (study Fig. 3: both regimes)."""
    return [(regime, split) for regime in regimes(config) for split in ("train", "val", "test")]


def model_seeds(config: Config, model: str) -> list[int]:
    """Seeds a model is trained with (the feature CRF is deterministic: the first seed only)."""
    seeds = cfg.seeds(config)
    return seeds[:1] if model == cfg.CRFSUITE_MODEL else seeds


def model_runs(config: Config) -> list[tuple[str, str]]:
    """(model, regime) pairs of the grid."""
    return [(model, regime) for model in all_models(config) for regime in regimes(config)]


def all_runs(config: Config, fractions: list[float] | None = None) -> list[Run]:
    """Every trained model as a dict of model, regime, fraction (path form) and seed.

    Learning-curve subsets (fraction < 1) are trained with the first seed only (time budget).
    """
    runs = []
    for model, regime in model_runs(config):
        for fraction in fractions or cfg.fractions(config, regime, model):
            seeds = model_seeds(config, model) if fraction == 1.0 else model_seeds(config, model)[:1]
            for seed in seeds:
                runs.append({"model": model, "regime": regime, "fraction": fraction_id(fraction), "seed": seed})
    return runs


def table_run_dicts(config: Config) -> list[Run]:
    """The runs on the whole training split, every seed."""
    return all_runs(config, [1.0])


def learning_curves_wanted(config: Config) -> bool:
    """Whether any model is trained at more than one training fraction (else a curve is one point)."""
    return any(len(cfg.fractions(config, regime, model)) > 1 for model, regime in model_runs(config))


def curve_runs(config: Config) -> list[Run]:
    """The runs of the learning curves: every run of the models trained at more than one fraction (of every
    model when none is: one point per model)."""
    curves = {model for model, regime in model_runs(config) if len(cfg.fractions(config, regime, model)) > 1}
    return [run for run in all_runs(config) if run["model"] in curves or not curves]


def table_runs(config: Config) -> list[tuple[str, str, int]]:
    """The runs the tables report as (model, regime, seed): the whole training split, every seed."""
    return [(r["model"], r["regime"], r["seed"]) for r in table_run_dicts(config)]


def regime_runs(config: Config, regime: str) -> list[Run]:
    """The table runs (whole training split, every seed) of one regime."""
    return [r for r in table_run_dicts(config) if r["regime"] == regime]


def figure_runs(config: Config) -> list[Run]:
    """Runs with per-run figures: neural models on the whole training split, first seed."""
    neural = cfg.model_names(config)
    first = cfg.seeds(config)[0]
    return [r for r in table_run_dicts(config) if r["model"] in neural and r["seed"] == first]


def per_run(config: Config, pattern: str, runs: list[Run] | None = None) -> list[str]:
    """`pattern` (with {model}, {regime}, {fraction}, {seed}) for every run, or the given runs."""
    return [pattern.format(**run) for run in (runs if runs is not None else all_runs(config))]


def curve_subsets(config: Config) -> list[dict[str, str]]:
    """(regime, fraction) of every training subset file the learning curves count (fraction 1: the split)."""
    return [
        {"regime": regime, "fraction": fraction_id(f)}
        for regime in regimes(config)
        for f in cfg.fractions(config, regime)
    ]


def from_scratch_models(config: Config) -> list[str]:
    """Models trained from random initialisation (encoder kinds `scratch`, `bilstm`) and the feature CRF."""
    scratch = [e for e in encoders(config) if cfg.encoder_kind(config, e).pretraining.value == "from scratch"]
    return [m for m in all_models(config) if m == cfg.CRFSUITE_MODEL or cfg.split_model(m)[0] in scratch]


def pretrained_models(config: Config) -> list[str]:
    """Models whose encoder carries real pre-training (general or task-adapted; stand-ins do not)."""
    return [m for m in cfg.model_names(config) if cfg.encoder_kind(config, cfg.split_model(m)[0]).is_pretrained]


def several_models(config: Config) -> bool:
    """Whether figures that compare models (forest plots) have more than one model to compare."""
    return len(all_models(config)) > 1


REAL_SIZE_PRIORITY = 20  # a real-size encoder's training jobs start before every from-scratch one
FRACTION_PRIORITY = 10  # times the training fraction: larger subsets first
ADAPT_PRIORITY = REAL_SIZE_PRIORITY + FRACTION_PRIORITY + 1
"""`adapt_encoder`'s priority: above every training job, since the adapted encoders' models wait for it."""


def training_priority(config: Config, encoder: str, fraction: str | float = FULL) -> int:
    """Snakemake priority of a job that trains `encoder` on `fraction` of the training documents (higher
    starts first when several are ready): the longest first, so that a run on few cores does not end on
    one long job. Real-size encoders (pre-trained or task-adapted) before the small from-scratch ones,
    larger fractions first; below `ADAPT_PRIORITY`."""
    real_size = cfg.encoder_kind(config, encoder).is_pretrained
    return REAL_SIZE_PRIORITY * int(real_size) + round(FRACTION_PRIORITY * float(fraction))
