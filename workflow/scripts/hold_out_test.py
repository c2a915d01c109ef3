import json
from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.atomic import atomic_write_text
from clinical_ner.data.held_out import hold_out_test
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
split = snakemake.params.split
chosen = hold_out_test(
    snakemake.params.folder, snakemake.output.train, snakemake.output.test, split["test_fraction"], split["seed"]
)
atomic_write_text(snakemake.output.assignment, json.dumps(chosen, indent=2) + "\n")
log.info("%s: %d training and %d held-out test documents", Path(snakemake.params.folder),
         len(chosen["train"]), len(chosen["test"]))
