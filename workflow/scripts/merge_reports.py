import json
from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.data.report import CorpusReport, combine_reports
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
reports = {
    source: CorpusReport.from_dict(json.loads(Path(path).read_text()))
    for source, path in zip(snakemake.params.sources, snakemake.input)
}
combined = combine_reports(reports)
Path(snakemake.output[0]).write_text(json.dumps(combined, indent=2) + "\n")
for source, report in reports.items():
    for problem in report.consistency_errors():
        log.error("%s: %s", source, problem)
log.info("report for %s written", ", ".join(reports))
