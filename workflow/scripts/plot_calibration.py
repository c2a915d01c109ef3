from typing import TYPE_CHECKING

from clinical_ner.evaluation.calibration import calibration_table, expected_calibration_error, plot_reliability
from clinical_ner.evaluation.run_files import read_prediction_rows
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
table = calibration_table(read_prediction_rows(snakemake.input[0]), bins=snakemake.params.bins)
table.to_csv(snakemake.output.table, index=False, float_format="%.6f")
name = f"{snakemake.params.name} ({snakemake.wildcards.regime})"
plot_reliability(table, [snakemake.output.png, snakemake.output.pdf], f"Reliability on the test set: {name}")
for level, part in table.groupby("level"):
    log.info("%s ECE %.4f over %d", level, expected_calibration_error(part), part["count"].sum())
