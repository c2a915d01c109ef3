from pathlib import Path

from clinical_ner.evaluation.run_files import evaluate_file
from clinical_ner.logs import configure_logging

log = configure_logging(snakemake.log[0])
written = evaluate_file(snakemake.input[0], Path(snakemake.output[0]).parent, snakemake.params.types)
log.info("wrote %s", ", ".join(str(p) for p in written))
