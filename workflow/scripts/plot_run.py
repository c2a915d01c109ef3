from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from clinical_ner.evaluation import figures
from clinical_ner.evaluation.run_files import read_confusion, read_report
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
name = f"{snakemake.params.name} ({snakemake.wildcards.regime})"
inputs, out = snakemake.input, snakemake.output  # out: figure name -> [.png, .pdf]
figures.plot_classification_report(read_report(inputs.bio_strict), out.report_bio_strict, f"BIO-strict report: {name}")
figures.plot_classification_report(
    read_report(inputs.token_level), out.report_token_level, f"Token-level report: {name}"
)
figures.plot_confusion(read_confusion(inputs.confusion_bio), out.confusion_bio, f"BIO-strict confusion: {name}")
token = read_confusion(inputs.confusion_token)
figures.plot_confusion(token, out.confusion_token, f"Token-level confusion: {name}")
figures.plot_confusion(token, out.confusion_token_counts, f"Token-level confusion (counts): {name}", normalise=False)
histories = {Path(d).name: pd.read_csv(Path(d) / "history.csv") for d in inputs.candidates}
final = "final (re-trained on train+validation)" if snakemake.params.retrained else "final (trained on train only)"
histories[final] = pd.read_csv(Path(inputs.final) / "history.csv")
figures.plot_training_curves(histories, out.training_curves, f"Training: {name}")
log.info("figures written: %s", ", ".join(out.keys()))
