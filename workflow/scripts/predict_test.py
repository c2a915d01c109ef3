from pathlib import Path

from clinical_ner.models.device import set_threads
from clinical_ner.logs import configure_logging
from clinical_ner.models.predict import predict_folder, predict_jsonl
from clinical_ner.models.tagger import Tagger

log = configure_logging(snakemake.log[0])
set_threads(snakemake.threads)
tagger = Tagger.load(snakemake.input.model)
# Token-level rows on the prepared test sentences (the study's evaluation) ...
log.info("sentences: %s", predict_jsonl(tagger, snakemake.input.sentences, snakemake.output.jsonl))
# ... and BRAT .ann from the raw test notes, tokenised without any gold information (entity-level scoring).
summary = predict_folder(tagger, Path(snakemake.input.corpus), Path(snakemake.output.ann))
log.info("notes: %s", {k: v for k, v in summary.items() if k != "documents"})
