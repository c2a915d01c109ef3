import json
from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.data.bio import encode_corpus
from clinical_ner.data.brat import read_corpus
from clinical_ner.data.jsonl import write_sentences
from clinical_ner.data.report import CorpusReport
from clinical_ner.errors import InputError
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
folder = Path(snakemake.params.folder)
if not folder.is_dir():
    raise InputError(folder, f"corpus.{snakemake.wildcards.source}: no such folder of BRAT .txt/.ann files (set it in the config)")
report = CorpusReport()
documents = read_corpus(folder, snakemake.params.label_map, report)
sentences = encode_corpus(documents, report)
write_sentences(snakemake.output.sentences, sentences)
Path(snakemake.output.report).write_text(json.dumps(report.to_dict(), indent=2) + "\n")
log.info("%s: %d documents, %d sentences", snakemake.wildcards.source, len(documents), len(sentences))
for warning in report.warnings:
    log.warning("%s", warning)
