from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.evaluation.figures import plot_panels
from clinical_ner.evaluation.run_files import read_confusion, read_report
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
declared: dict[str, list[str]] = {}
for path in snakemake.output:
    declared.setdefault(Path(path).stem, []).append(path)
for stem, figure in snakemake.params.figures.items():
    read = read_report if figure["kind"] == "report" else read_confusion
    panels = {name: read(path) for name, path in figure["panels"]}
    written = plot_panels(panels, declared[stem], figure["title"], kind=figure["kind"])
    log.info("%s (%s): %s", stem, ", ".join(panels), ", ".join(map(str, written)))
