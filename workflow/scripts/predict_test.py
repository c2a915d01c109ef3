from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.logs import configure_logging
from clinical_ner.models.predict.notes import predict_folder
from clinical_ner.models.predict.sentences import load_model, predict_jsonl

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
tagger = load_model(snakemake.input.model, threads=snakemake.threads)  # the feature CRF never imports torch
tagger.remember_predictions()  # the notes below are the test sentences again: the encoder runs once
# Token-level rows (with confidences) on the prepared test sentences (the study's evaluation) ...
log.info("sentences: %s", predict_jsonl(tagger, snakemake.input.sentences, snakemake.output.jsonl))
# ... and BRAT .ann from the raw test notes, tokenised without any gold information (entity-level scoring).
report = predict_folder(tagger, Path(snakemake.input.corpus), Path(snakemake.output.ann), overwrite=True, progress=False)
log.info("notes: %s", {k: v for k, v in report.items() if k != "skipped"})
if report["notes_skipped"]:
    raise SystemExit(f"{report['notes_skipped']} test note(s) could not be read: {report['skipped']}")
