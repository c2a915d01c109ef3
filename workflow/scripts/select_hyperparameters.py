import json
from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.logs import configure_logging
from clinical_ner.models.selection import select_candidate

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
summaries = {
    candidate: json.loads((Path(folder) / "summary.json").read_text())
    for candidate, folder in zip(snakemake.params.candidates, snakemake.input)
}
selected = select_candidate(summaries, snakemake.params.settings)
Path(snakemake.output[0]).write_text(json.dumps(selected, indent=2) + "\n")
log.info("selected %s: %s", selected["candidate"], json.dumps(selected["settings"]))
