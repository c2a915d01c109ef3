from typing import TYPE_CHECKING

from clinical_ner.evaluation.statistics import bootstrap, run_document_counts, statistics_table
from clinical_ner.evaluation.statistics_figures import plot_forest
from clinical_ner.evaluation.tables import write_table
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
names, types, settings = snakemake.params.names, snakemake.params.types, snakemake.params.statistics
runs = {}
for (model, _seed), units, jsonl, ann in zip(
    snakemake.params.runs, snakemake.params.units, snakemake.input.predictions, snakemake.input.ann
):
    counts = run_document_counts(snakemake.input.gold, ann, jsonl, units, types, snakemake.params.label_map)
    runs.setdefault(names[model], []).append(counts)
reference = names[snakemake.params.reference]
several_seeds = len({seed for _, seed in snakemake.params.runs}) > 1
stats = bootstrap(runs, reference, settings["resamples"], settings["seed"], settings["level"])
stats.to_csv(snakemake.output.raw, index=False, float_format="%.6f")
regime = snakemake.wildcards.regime
write_table(
    statistics_table(stats), snakemake.output.table,
    f"Test scores ({regime} training{'; mean over seeds' if several_seeds else ''}) with {settings['level']:.0%} bootstrap intervals over "
    f"test documents ({settings['resamples']} resamples) and paired bootstrap p-values against {reference}",
)
if hasattr(snakemake.output, "forest"):  # only with models to compare
    plot_forest(stats, snakemake.output.forest,
                title=f"Test scores with {settings['level']:.0%} bootstrap intervals ({regime} training)")
log.info("%d models, %d documents, reference %s", len(runs), len(next(iter(runs.values()))[0].doc_ids), reference)
