from pathlib import Path

from clinical_ner.device import set_threads
from clinical_ner.logs import configure_logging
from clinical_ner.predict import predict_folder, predict_jsonl

log = configure_logging(snakemake.log[0])
set_threads(snakemake.threads)
# Token-level rows on the prepared test sentences (the study's evaluation) ...
log.info("sentences: %s", predict_jsonl(snakemake.input.model, snakemake.input.sentences, snakemake.output.jsonl))
# ... and BRAT .ann from the raw test notes, tokenised without any gold information (entity-level scoring).
summary = predict_folder(Path(snakemake.input.model), Path(snakemake.input.corpus), Path(snakemake.output.ann))
log.info("notes: %s", {k: v for k, v in summary.items() if k != "documents"})
