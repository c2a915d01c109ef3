from typing import TYPE_CHECKING

import pandas as pd

from clinical_ner.evaluation.error_tables import plot_taxonomy, stack_runs, taxonomy_table
from clinical_ner.evaluation.tables import write_table
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
names = snakemake.params.names
regime = snakemake.wildcards.regime
counts = stack_runs(
    (names[model], seed, pd.read_csv(path, keep_default_na=False))
    for (model, seed), path in zip(snakemake.params.runs, snakemake.input)
)
seeds = counts["seed"].nunique()
note = f"mean over {seeds} seeds" if seeds > 1 else "one seed"
write_table(
    taxonomy_table(counts),
    snakemake.output.table,
    f"Entity-level errors on the test set by kind, n2c2-2018 semantics ({regime} training; {note}; FP: predictions "
    "counted at their type, FN: gold entities counted at theirs; docs/error-analysis.md)",
    csv_frame=counts,
)
plot_taxonomy(counts, snakemake.output.figure, f"Entity-level errors by kind ({regime} training; {note})")
log.info("taxonomy of %d run(s) written", len(snakemake.params.runs))
