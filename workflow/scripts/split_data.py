import csv
from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences, write_sentences
from clinical_ner.data.split import partition_sentences, split_documents
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
settings = snakemake.params.split
train = read_sentences(snakemake.input.train)
if settings["use_dev"]:
    val = read_sentences(snakemake.input.dev)
    train_ids = sorted({s.doc_id for s in train})
    val_ids = sorted({s.doc_id for s in val})
else:
    train_ids, val_ids = split_documents(
        sorted({s.doc_id for s in train}), val_fraction=settings["val_fraction"], seed=settings["seed"]
    )
    train, val = partition_sentences(train, train_ids, val_ids)
test = read_sentences(snakemake.input.test)
write_sentences(snakemake.output.train, train)
write_sentences(snakemake.output.val, val)
write_sentences(snakemake.output.test, test)
with open(snakemake.output.assignment, "w", newline="") as handle:
    writer = csv.writer(handle, delimiter="\t")
    writer.writerow(["doc_id", "split"])
    for split, ids in (("train", train_ids), ("val", val_ids), ("test", sorted({s.doc_id for s in test}))):
        writer.writerows((doc_id, split) for doc_id in ids)
log.info("documents: %d train, %d val; sentences: %d train, %d val, %d test",
         len(train_ids), len(val_ids), len(train), len(val), len(test))
