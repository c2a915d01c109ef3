from typing import TYPE_CHECKING

import pandas as pd

from clinical_ner.evaluation import tables
from clinical_ner.evaluation.run_files import read_report
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
names = snakemake.params.names
out = snakemake.output  # one named output per table: stem -> [.csv, .md, .tex]
evaluations = {}
runs = zip(
    snakemake.params.runs,
    snakemake.input.bio_strict,
    snakemake.input.token_level,
    snakemake.input.ablations,
    snakemake.input.spans,
    snakemake.input.spans_n2c2,
)
for (model, regime), bio_strict, token_level, ablations_csv, spans_csv, spans_n2c2_csv in runs:
    evaluations[(names[model], regime)] = {
        "bio_strict": read_report(bio_strict),
        "token_level": read_report(token_level),
        "ablations": pd.read_csv(ablations_csv, keep_default_na=False),
        "spans": pd.read_csv(spans_csv, keep_default_na=False),
        "spans_n2c2": pd.read_csv(spans_n2c2_csv, keep_default_na=False),
    }
results = tables.results_from_frames(evaluations)
ablations = tables.stack_frames(evaluations, "ablations")
spans = tables.stack_frames(evaluations, "spans")
spans_n2c2 = tables.stack_frames(evaluations, "spans_n2c2")
prf = ["precision", "recall", "f1"]

for regime in snakemake.params.regimes:
    tables.write_table(
        tables.macro_table(results, regime), out[f"table2_macro_bio_strict_{regime}"],
        f"Table II: macro-averaged BIO-strict precision, recall and F1 on the test set ({regime} training)", prf,
    )
    tables.write_table(
        tables.weighted_table(results, regime), out[f"table3_weighted_bio_strict_{regime}"],
        f"Table III: weighted-averaged BIO-strict precision, recall and F1 ({regime} training)", prf,
    )
    ablation = tables.ablation_table(ablations, regime)
    tables.write_table(
        ablation, out[f"table4_ablations_{regime}"],
        f"Table IV: token-level F1 under the ablations ({regime} training)",
        [c for c in ablation.columns if c.endswith("_f1")],
    )
    tables.write_table(
        tables.average_table(results, "token_level", "macro", regime), out[f"token_level_macro_{regime}"],
        f"Token-level (B-/I- merged) macro-averaged precision, recall and F1 ({regime} training)", prf,
    )
    headline = tables.span_prf_table(spans_n2c2, regime)
    tables.write_table(
        headline, out[f"spans_n2c2_{regime}"],
        f"Entity-level scores with the official n2c2-2018 track 2 semantics: micro P/R/F1 and macro F1 "
        f"(mean over documents), strict and lenient ({regime} training)", list(headline.columns[1:]),
    )
    tables.write_table(
        tables.span_table(spans_n2c2, regime, per_type=True), out[f"spans_n2c2_per_type_{regime}"],
        f"Entity-level F1 per type, n2c2-2018 track 2 semantics, strict and lenient ({regime} training)",
    )
    span = tables.span_table(spans, regime)
    tables.write_table(
        span, out[f"spans_{regime}"],
        f"Entity-level micro F1 on character spans, one-to-one matching, strict and lenient ({regime} training)",
        list(span.columns[1:]),
    )
    tables.write_table(
        tables.span_table(spans, regime, per_type=True), out[f"spans_per_type_{regime}"],
        f"Entity-level F1 per type, one-to-one matching, strict and lenient ({regime} training)",
    )
if len(snakemake.params.regimes) > 1:
    tables.write_table(
        tables.regime_table(results), out.regime_comparison,
        "Macro BIO-strict F1, full vs down-sampled training (difference = down-sampled - full)", ["full", "downsampled"],
    )
log.info("tables written: %s", ", ".join(out.keys()))
