import json
from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.corpus.synthetic import generate_corpus
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
settings = snakemake.params.synthetic
summary = generate_corpus(
    None,
    n_train_docs=settings["train_docs"],
    n_test_docs=settings["test_docs"],
    seed=settings["seed"],
    folders={"train": snakemake.output.train, "test": snakemake.output.test},
    preset=settings["preset"],
)
Path(snakemake.output.summary).write_text(json.dumps(summary, indent=2) + "\n")
log.info("synthetic corpus written to %s and %s: %s", snakemake.output.train, snakemake.output.test, json.dumps(summary))
