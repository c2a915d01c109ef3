import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from clinical_ner.evaluation.figures import plot_regime_comparison
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
names = snakemake.params.names
rows = []
for (model, regime, _seed), path in zip(snakemake.params.runs, snakemake.input.evaluations):
    summary = json.loads(Path(path).read_text())
    rows.append({"model": names[model], "regime": regime, "f1": summary["bio_strict"]["macro"]["f1"]})
means = pd.DataFrame(rows).groupby(["model", "regime"], sort=False, as_index=False)["f1"].mean()  # over seeds
written = plot_regime_comparison(
    means,
    [snakemake.output.png, snakemake.output.pdf],
    title="Macro BIO-strict F1: full vs down-sampled training",
)
log.info("wrote %s", ", ".join(map(str, written)))
