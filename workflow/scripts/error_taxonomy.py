from typing import TYPE_CHECKING

from clinical_ner.evaluation.brat_scoring import read_folders
from clinical_ner.evaluation.error_taxonomy import ALL_TYPES, span_counts, taxonomy_documents
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
inputs = read_folders(snakemake.input.gold, snakemake.input.predicted, snakemake.params.label_map)
if inputs.missing_note():
    log.warning(inputs.missing_note())
counts = taxonomy_documents(inputs.gold, inputs.predicted, snakemake.params.types)
counts.to_csv(snakemake.output[0], index=False)
total = counts[counts["label"] == ALL_TYPES].iloc[0]
log.info("entities by kind: %s", {k: int(v) for k, v in total.items() if k != "label"})
log.info("strict span counts: %s", span_counts(counts).iloc[-1].to_dict())
