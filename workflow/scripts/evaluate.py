from typing import TYPE_CHECKING

from clinical_ner.evaluation.run_files import evaluate_file
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
written = evaluate_file(
    snakemake.input.predictions, dict(snakemake.output.items()), snakemake.params.types, units=snakemake.params.units,
    extra={"protocol": snakemake.params.protocol},
)
log.info("scored %s units (%s protocol); wrote %s", snakemake.params.units, snakemake.params.protocol,
         ", ".join(str(p) for p in written))
