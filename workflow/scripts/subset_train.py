from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences, write_jsonl
from clinical_ner.data.subsets import fraction_id, nested_subsets, subset_sentences
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
documents = {s.doc_id for s in read_sentences(snakemake.input.documents)}
subsets = {fraction_id(f): ids for f, ids in nested_subsets(documents, snakemake.params.fractions, snakemake.params.seed).items()}
kept = subsets[snakemake.wildcards.fraction]
sentences = subset_sentences(read_sentences(snakemake.input.train), kept)
write_jsonl(snakemake.output[0], [s.to_dict() for s in sentences])
log.info("fraction %s: %d of %d training documents, %d sentences", snakemake.wildcards.fraction, len(kept),
         len(documents), len(sentences))
