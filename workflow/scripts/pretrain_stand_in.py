from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences
from clinical_ner.logs import configure_logging
from clinical_ner.models.device import set_threads
from clinical_ner.models.encoders.pretraining import build_stand_in_encoder

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
set_threads(snakemake.threads)
sentences = [s.tokens for s in read_sentences(snakemake.input[0])]
folder = build_stand_in_encoder(
    snakemake.output[0],
    sentences,
    **{"n_layers" if key == "layers" else key: value for key, value in snakemake.params.stand_in.items()},
    stands_in_for=snakemake.params.label,
)
log.info("stand-in encoder for %s written to %s (%d training sentences)", snakemake.params.label, folder, len(sentences))
