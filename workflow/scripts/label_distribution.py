from typing import TYPE_CHECKING

from clinical_ner.data.distribution import read_regimes, write_distribution
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
counts, sentences = write_distribution(
    read_regimes((regime, split, path) for (regime, split), path in zip(snakemake.params.parts, snakemake.input)),
    snakemake.output.labels,
    snakemake.output.sentences,
    [snakemake.output.png, snakemake.output.pdf],
    snakemake.params.types,
)
log.info("sentence counts:\n%s", sentences.to_string(index=False))
