from typing import TYPE_CHECKING

import pandas as pd

from clinical_ner.evaluation import tables
from clinical_ner.evaluation.ablations import absent_ablations
from clinical_ner.evaluation.run_files import read_report
from clinical_ner.evaluation.seeds import aggregate_seeds
from clinical_ner.evaluation.statistics import interval_columns
from clinical_ner.logs import configure_logging
from clinical_ner.plan.outputs import PER_REGIME_TABLES, REGIME_COMPARISON

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
names = snakemake.params.names
out = snakemake.output  # one named output per table: stem -> [.csv, .md, .tex]
evaluations = {}  # seed -> {(model name, regime): frames}
runs = zip(
    snakemake.params.runs,
    snakemake.input.bio_strict,
    snakemake.input.token_level,
    snakemake.input.ablations,
    snakemake.input.spans,
    snakemake.input.spans_official_semantics,
)
for (model, regime, seed), bio_strict, token_level, ablations_csv, spans_csv, spans_official_semantics_csv in runs:
    evaluations.setdefault(seed, {})[(names[model], regime)] = {
        "bio_strict": read_report(bio_strict),
        "token_level": read_report(token_level),
        "ablations": pd.read_csv(ablations_csv, keep_default_na=False),
        "spans": pd.read_csv(spans_csv, keep_default_na=False),
        "official": pd.read_csv(spans_official_semantics_csv, keep_default_na=False),
    }
per_seed = {
    seed: {
        "results": tables.results_from_frames(frames),
        "ablations": tables.stack_frames(frames, "ablations"),
        "spans": tables.stack_frames(frames, "spans"),
        "official": tables.stack_frames(frames, "official"),
    }
    for seed, frames in evaluations.items()
}
statistics = {regime: pd.read_csv(path) for regime, path in zip(snakemake.params.regimes, snakemake.input.statistics)}
prf = ["precision", "recall", "f1"]
scope = snakemake.params.scope  # which protocol produced the token scores
seeds_note = f"; mean ± sd over {len(per_seed)} seeds" if len(per_seed) > 1 else ""
ci_note = ("; 95% bootstrap interval over test documents and paired p-value against the reference "
           "(ns: not significant at 0.05)")


def write(build, keys, stem, caption, best=(), intervals=(), regime=None):
    """One table per seed from `build(frames)`, shown as mean ± sd (every seed's rows in the CSV), with the
    intervals and p-values of `intervals` ((metric, column prefix) pairs of `regime`'s statistics)."""
    display, long = aggregate_seeds({seed: build(frames) for seed, frames in per_seed.items()}, keys)
    for metric, prefix in intervals:
        columns = interval_columns(statistics[regime], metric)
        display = display.merge(columns.rename(columns=lambda c, p=prefix: c if c == "model" else f"{p}{c}"),
                                on="model", how="left")
    tables.write_table(display, out[stem], caption + seeds_note + (ci_note if intervals else ""), best,
                       csv_frame=long)


absent = absent_ablations(snakemake.params.types)
absent_note = ("; left out, as the label set cannot have them: "
               + "; ".join(f"{name} ({why})" for name, why in absent.items())) if absent else ""


def regime_tables(regime):
    """The arguments of `write` for each table of `PER_REGIME_TABLES`, for one regime."""
    official_columns = list(tables.span_prf_table(next(iter(per_seed.values()))["official"], regime).columns[1:])
    return {
        "table2_macro_bio_strict": (
            lambda f: tables.macro_table(f["results"], regime), ["model"],
            f"Table II: macro-averaged BIO-strict precision, recall and F1 on the test set ({regime} training; {scope})", prf,
            [("bio_macro_f1", "f1_")], regime),
        "table3_weighted_bio_strict": (
            lambda f: tables.weighted_table(f["results"], regime), ["model"],
            f"Table III: weighted-averaged BIO-strict precision, recall and F1 ({regime} training; {scope})", prf,
            [("bio_weighted_f1", "f1_")], regime),
        "table4_ablations": (
            lambda f: tables.ablation_table(f["ablations"], regime), ["model", "ablation"],
            f"Table IV: token-level F1 under the ablations ({regime} training; {scope}){absent_note}",
            ["macro_f1", "micro_f1", "weighted_f1"]),
        "token_level_macro": (
            lambda f: tables.average_table(f["results"], "token_level", "macro", regime), ["model"],
            f"Token-level (B-/I- merged) macro-averaged precision, recall and F1 ({regime} training; {scope})", prf,
            [("token_macro_f1", "f1_")], regime),
        "spans_official_semantics": (
            lambda f: tables.span_prf_table(f["official"], regime), ["model"],
            f"Entity-level scores with the official n2c2-2018 track 2 semantics: micro P/R/F1 and macro F1 "
            f"(mean over documents), strict and lenient ({regime} training)", official_columns,
            [("span_strict_f1", "strict_f1_"), ("span_lenient_f1", "lenient_f1_")], regime),
        "spans_official_semantics_per_type": (
            lambda f: tables.span_table(f["official"], regime, per_type=True), ["model", "label"],
            f"Entity-level F1 per type, n2c2-2018 track 2 semantics, strict and lenient ({regime} training)"),
        "spans": (
            lambda f: tables.span_table(f["spans"], regime), ["model"],
            f"Entity-level micro F1 on character spans, one-to-one matching, strict and lenient ({regime} training)",
            ["strict_f1", "lenient_f1"]),
        "spans_per_type": (
            lambda f: tables.span_table(f["spans"], regime, per_type=True), ["model", "label"],
            f"Entity-level F1 per type, one-to-one matching, strict and lenient ({regime} training)"),
    }


for regime in snakemake.params.regimes:
    built = regime_tables(regime)
    for table in PER_REGIME_TABLES:  # the catalogue the workflow declares as outputs (plan.outputs.table_stems)
        build, keys, caption, *rest = built[table]
        write(build, keys, f"{table}_{regime}", caption, *rest)
if len(snakemake.params.regimes) > 1:
    write(lambda f: tables.regime_table(f["results"]), ["model"], REGIME_COMPARISON,
          f"Macro BIO-strict F1, full vs down-sampled training (difference = down-sampled - full; {scope})",
          ["full", "downsampled"])
log.info("tables written: %s", ", ".join(out.keys()))
