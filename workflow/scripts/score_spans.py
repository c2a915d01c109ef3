from typing import TYPE_CHECKING

from clinical_ner.evaluation.brat_scoring import read_folders, score_inputs
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
inputs = read_folders(snakemake.input.gold, snakemake.input.predicted, snakemake.params.label_map)
if inputs.missing_note():
    log.warning(inputs.missing_note())
frames = score_inputs(inputs, snakemake.params.types)
frames["one_to_one"].to_csv(snakemake.output.one_to_one, index=False, float_format="%.6f")
frames["n2c2"].to_csv(snakemake.output.official_semantics, index=False, float_format="%.6f")
for name, frame in frames.items():
    micro = frame[frame["label"] == "micro avg"].set_index("mode")["f1"]
    log.info("%s span micro-F1: strict %.4f, lenient %.4f", name, micro["strict"], micro["lenient"])
