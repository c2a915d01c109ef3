import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from clinical_ner.atomic import atomic_write_text
from clinical_ner.logs import configure_logging
from clinical_ner.models.cards.model_card import evaluated_scores

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
summary = json.loads(Path(snakemake.input.summary).read_text(encoding="utf-8"))
spans = {name: pd.read_csv(path, keep_default_na=False)
         for name, path in (("n2c2", snakemake.input.official_semantics), ("one_to_one", snakemake.input.one_to_one))}
record = {"model": snakemake.input.model, **evaluated_scores(summary, spans)}
atomic_write_text(snakemake.output[0], json.dumps(record, indent=2) + "\n")
log.info("test scores of %s written", snakemake.input.model)
