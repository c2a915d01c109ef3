import shutil
from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences, write_sentences
from clinical_ner.data.sampling import downsample, plain_fraction
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
settings = snakemake.params.downsample
for split in ("train", "val"):
    sentences = read_sentences(snakemake.input[split])
    kept = downsample(sentences, settings["target_plain_fraction"], seed=settings["seed"])
    write_sentences(snakemake.output[split], kept)
    log.info("%s: %d -> %d sentences, all-O fraction %.3f -> %.3f",
             split, len(sentences), len(kept), plain_fraction(sentences), plain_fraction(kept))
shutil.copyfile(snakemake.input.test, snakemake.output.test)
log.info("test set copied untouched")
