from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences
from clinical_ner.logs import configure_logging
from clinical_ner.models.baselines.feature_crf import select_and_train

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
crfsuite = snakemake.params.crfsuite
selection = select_and_train(
    read_sentences(snakemake.input.train),
    read_sentences(snakemake.input.val),
    snakemake.output[0],
    snakemake.params.types,
    {"c1": crfsuite["c1"], "c2": crfsuite["c2"]},
    crfsuite["max_iterations"],
    snakemake.params.retrain,
    log=log.info,
    rank_by=snakemake.params.rank_by,
)
log.info("selected %s", selection["selected"])
