from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences
from clinical_ner.logs import configure_logging
from clinical_ner.models.device import pick_device, set_threads
from clinical_ner.models.encoders.kinds import PACKAGE_PREFIX, package_provenance, resolve_source
from clinical_ner.models.encoders.pretraining import adapt_encoder

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
set_threads(snakemake.threads)
settings = dict(snakemake.params.adapt)
base = settings.pop("base")
sentences = [s.tokens for s in read_sentences(snakemake.input.text)]
note = adapt_encoder(
    resolve_source(base),
    snakemake.output[0],
    sentences,
    **settings,
    base_source=base,
    provenance=package_provenance(base) if base.startswith(PACKAGE_PREFIX) else {},
    device=pick_device(),
    log=log.info,
)
log.info("%s", note["statement"])
