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
eval_dir = Path(snakemake.input.evaluation).parent
out = Path(snakemake.output[0]).parent
figures.plot_classification_report(read_report(eval_dir / "bio_strict.csv"), out / "report_bio_strict", f"BIO-strict report: {name}")
figures.plot_classification_report(read_report(eval_dir / "token_level.csv"), out / "report_token_level", f"Token-level report: {name}")
figures.plot_confusion(read_confusion(eval_dir / "confusion_bio.csv"), out / "confusion_bio", f"BIO-strict confusion: {name}")
token = read_confusion(eval_dir / "confusion_token.csv")
figures.plot_confusion(token, out / "confusion_token", f"Token-level confusion: {name}")
figures.plot_confusion(token, out / "confusion_token_counts", f"Token-level confusion (counts): {name}", normalise=False)
histories = {Path(d).name: pd.read_csv(Path(d) / "history.csv") for d in snakemake.input.candidates}
histories["final (train+val)"] = pd.read_csv(Path(snakemake.input.final) / "history.csv")
figures.plot_training_curves(histories, out / "training_curves", f"Training: {name}")
log.info("figures written to %s", out)
