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
combined = combine_reports(reports, snakemake.params.label_map)
for key in combined["label_map"]["unmatched_keys"]:
    log.warning("corpus/label_map: key %r matches no annotation in %s; its entities (if any) are lost. "
                "Annotation types read: %s", key, ", ".join(reports), ", ".join(sorted(combined["total"]["read_by_type"])))
Path(snakemake.output[0]).write_text(json.dumps(combined, indent=2) + "\n")
for source, report in reports.items():
    for problem in report.consistency_errors():
        log.error("%s: %s", source, problem)
log.info("report for %s written", ", ".join(reports))
