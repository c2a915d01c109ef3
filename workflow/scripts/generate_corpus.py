import json
from pathlib import Path

from clinical_ner.logs import configure_logging
from clinical_ner.corpus.synthetic import generate_corpus

log = configure_logging(snakemake.log[0])
settings = snakemake.params.synthetic
out_dir = Path(snakemake.output.train).parent
summary = generate_corpus(
    out_dir, n_train_docs=settings["train_docs"], n_test_docs=settings["test_docs"], seed=settings["seed"]
)
Path(snakemake.output.summary).write_text(json.dumps(summary, indent=2) + "\n")
log.info("synthetic corpus written to %s: %s", out_dir, json.dumps(summary))
