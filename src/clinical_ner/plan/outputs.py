"""What a run writes: the table catalogue, the targets, display names and the study figures."""

from __future__ import annotations

from typing import Any

from clinical_ner import config as cfg
from clinical_ner.plan.encoders import model_units
from clinical_ner.plan.runs import (
    FULL,
    RUN,
    Config,
    all_models,
    figure_runs,
    learning_curves_wanted,
    per_run,
    regimes,
    several_models,
    table_run_dicts,
)

# The tables `make_tables` writes per regime (each as .csv, .md and .tex, suffixed `_{regime}`), in order;
# with more than one regime also `REGIME_COMPARISON`. Table I has its own rule.
PER_REGIME_TABLES = (
    "table2_macro_bio_strict",
    "table3_weighted_bio_strict",
    "table4_ablations",
    "token_level_macro",
    "spans_official_semantics",
    "spans_official_semantics_per_type",
    "spans",
    "spans_per_type",
)
REGIME_COMPARISON = "regime_comparison"


def table_stems(regime_names: list[str]) -> list[str]:
    """Every table `make_tables` writes for these regimes."""
    stems = [f"{table}_{regime}" for regime in regime_names for table in PER_REGIME_TABLES]
    return stems + ([REGIME_COMPARISON] if len(regime_names) > 1 else [])


def display_names(config: Config) -> dict[str, str]:
    """Model id -> the name shown in tables and figures, e.g. `MiniLM-L6 (pre-trained)-CRF`."""
    return {model: cfg.display_name(config, model) for model in cfg.model_names(config) + [cfg.CRFSUITE_MODEL]}


def viewer_links(config: Config, model: str) -> list[tuple[str, str]]:
    """(display name, page) of the other models' error viewers of the same regime (pages are siblings)."""
    names = display_names(config)
    return [(names[other], f"{other}.html") for other in all_models(config) if other != model]


def protocol_scope(config: Config) -> str:
    """What the token scores of tables and figures are, e.g. `protocol: paper, scored on sub-word tags`."""
    names = display_names(config)
    models = all_models(config)
    words = [names[m] for m in models if model_units(config, cfg.split_model(m)[0]) == "word"]
    if len(words) == len(models):
        return f"protocol: {config['protocol']}, scored on word-level tags"
    if not words:
        return f"protocol: {config['protocol']}, scored on sub-word tags"
    return f"protocol: {config['protocol']}, scored on sub-word tags ({', '.join(words)}: word-level tags)"


def study_eval_file(config: Config, model: str, figure: dict[str, Any]) -> str:
    """The evaluation file a study figure's panel reads: the whole training split, first seed."""
    run = RUN.format(regime=figure["regime"], fraction=FULL, seed=cfg.seeds(config)[0])
    return f"{config['results']}/eval/{model}/{run}/{figure['file']}"


def study_figure_inputs(config: Config) -> list[str]:
    """The evaluation files the study figures read (one per panel)."""
    figures = cfg.study_figures(config).values()
    return sorted({study_eval_file(config, model, figure) for figure in figures for model in figure["models"]})


def study_figure_specs(config: Config) -> dict[str, dict[str, Any]]:
    """Per study figure: kind, title and its panels as (display name, evaluation file), left to right."""
    names = display_names(config)
    return {
        stem: {
            "kind": figure["kind"],
            "title": f"{figure['title']} on the test set ({protocol_scope(config)})",
            "panels": [[names[model], study_eval_file(config, model, figure)] for model in figure["models"]],
        }
        for stem, figure in cfg.study_figures(config).items()
    }


def all_targets(config: Config) -> list[str]:
    """What a run produces; figures and tables that would compare one thing (one regime, one model, one
    training size) are left out."""
    results = config["results"]
    regime_names = regimes(config)
    models = all_models(config)
    figures = figure_runs(config)
    targets = [
        f"{results}/data/report.json",
        f"{results}/data/label_distribution.csv",
        f"{results}/figures/label_distribution.png",
    ]
    if len(regime_names) > 1:
        targets.append(f"{results}/figures/regime_comparison.png")
    targets += [f"{results}/tables/{stem}.md" for stem in ["table1_parameters", *table_stems(regime_names)]]
    targets += [f"{results}/tables/statistics_{regime}.md" for regime in regime_names]
    if several_models(config):
        targets += [f"{results}/figures/forest_{regime}.png" for regime in regime_names]
    if learning_curves_wanted(config):
        targets += [f"{results}/tables/learning_curves.md", f"{results}/tables/learning_curves_crossing.md"]
        targets.append(f"{results}/figures/learning_curves.png")
    targets += per_run(config, f"{results}/figures/runs/{{model}}/{{regime}}/report_bio_strict.png", figures)
    targets += per_run(config, f"{results}/figures/runs/{{model}}/{{regime}}/reliability.png", figures)
    targets += per_run(config, f"{results}/models/{{model}}/{RUN}/test_scores.json", figures)
    for pattern in (
        f"predictions/{{model}}/{RUN}/test.jsonl",
        f"predictions/{{model}}/{RUN}/ann",
        f"eval/{{model}}/{RUN}/summary.json",
        f"eval/{{model}}/{RUN}/spans.csv",
        f"eval/{{model}}/{RUN}/spans_official_semantics.csv",
    ):
        targets += per_run(config, f"{results}/{pattern}")
    targets += [f"{results}/figures/study/{stem}.png" for stem in cfg.study_figures(config)]
    targets += per_run(config, f"{results}/eval/{{model}}/{RUN}/error_taxonomy.csv", table_run_dicts(config))
    targets += [f"{results}/tables/error_taxonomy_{regime}.md" for regime in regime_names]
    targets += [f"{results}/figures/error_taxonomy_{regime}.png" for regime in regime_names]
    targets += [f"{results}/errors/{regime}/{model}.html" for regime in regime_names for model in models]
    return targets
