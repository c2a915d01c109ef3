import json
from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.logs import configure_logging
from clinical_ner.models.train.selection import pinned_selection, select_candidate

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
if snakemake.params.pinned is not None:
    selected = pinned_selection(snakemake.params.pinned)
else:
    summaries = {
        candidate: json.loads((Path(folder) / "summary.json").read_text())
        for candidate, folder in zip(snakemake.params.candidates, snakemake.input)
    }
    selected = select_candidate(summaries, snakemake.params.settings, rank_by=snakemake.params.rank_by)
Path(snakemake.output[0]).write_text(json.dumps(selected, indent=2) + "\n")
log.info("selected %s (%s): %s", selected["candidate"], selected["rank_by"], json.dumps(selected["settings"]))
