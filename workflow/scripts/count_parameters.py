import csv

from clinical_ner.logs import configure_logging
from clinical_ner.models.params import count_parameters
from clinical_ner.models.tagger import Tagger

log = configure_logging(snakemake.log[0])
with open(snakemake.output[0], "w", newline="") as handle:
    writer = csv.DictWriter(handle, fieldnames=["model", "total", "trainable", "encoder", "head"])
    writer.writeheader()
    for model, folder in zip(snakemake.params.models, snakemake.input):
        counts = count_parameters(Tagger.load(folder, device="cpu"))
        writer.writerow({"model": model, **counts})
        log.info("%s: %s", model, counts)
