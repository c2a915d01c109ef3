import shutil
from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences, write_sentences
from clinical_ner.data.sampling import downsample, keep_plain, plain_fraction
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
settings = snakemake.params.downsample
for split in ("train", "val"):
    sentences = read_sentences(snakemake.input[split])
    if settings["keep_probability"] is not None:
        kept = keep_plain(sentences, settings["keep_probability"], seed=settings["seed"])
        how = f"each all-O sentence kept with probability {settings['keep_probability']}"
    else:
        kept = downsample(sentences, settings["target_plain_fraction"], seed=settings["seed"])
        how = f"all-O sentences cut to {settings['target_plain_fraction']} of the result"
    write_sentences(snakemake.output[split], kept)
    log.info("%s (%s): %d -> %d sentences, all-O fraction %.3f -> %.3f",
             split, how, len(sentences), len(kept), plain_fraction(sentences), plain_fraction(kept))
shutil.copyfile(snakemake.input.test, snakemake.output.test)
log.info("test set copied untouched")
