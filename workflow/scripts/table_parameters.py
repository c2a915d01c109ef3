from typing import TYPE_CHECKING

import pandas as pd

from clinical_ner.config import split_model
from clinical_ner.evaluation import tables
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
parameters = pd.read_csv(snakemake.input[0])
counts = {split_model(model): int(n) for model, n in zip(parameters["model"], parameters["trainable"])}
names = {split_model(model): name for model, name in snakemake.params.names.items()}
reference = snakemake.params.reference
table = tables.parameter_table(counts, names, reference)
tables.write_table(
    table, list(snakemake.output),  # the declared .csv, .md and .tex
    f"Table I: trainable parameters per model (random weights from the architecture settings) and change "
    f"relative to {snakemake.params.reference_label} with the same head",
    formats={"change_percent": "{:+.2f}%"},
)
log.info("Table I:\n%s", table.to_string(index=False))
