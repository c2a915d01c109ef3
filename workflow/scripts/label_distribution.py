from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.data.distribution import load_regimes, write_distribution
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
data_dir = Path(snakemake.input[0]).parent.parent
counts, sentences = write_distribution(
    load_regimes(data_dir),
    snakemake.output.labels,
    snakemake.output.sentences,
    [snakemake.output.png, snakemake.output.pdf],
)
log.info("sentence counts:\n%s", sentences.to_string(index=False))
