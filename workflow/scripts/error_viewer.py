from typing import TYPE_CHECKING

from clinical_ner.evaluation.error_viewer import write_viewer
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
counts = write_viewer(
    snakemake.input.gold,
    snakemake.input.predicted,
    snakemake.output[0],
    snakemake.params.types,
    snakemake.params.name,
    snakemake.params.title,
    [tuple(link) for link in snakemake.params.links],
    snakemake.params.label_map,
)
log.info("error viewer: %s", counts)
if counts["predictions_without_confidence"]:
    log.warning("%d prediction(s) without a confidence note", counts["predictions_without_confidence"])
