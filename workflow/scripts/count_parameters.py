import csv
from typing import TYPE_CHECKING

from clinical_ner.config import split_model
from clinical_ner.logs import configure_logging
from clinical_ner.models.encoders.spec import EncoderSpec
from clinical_ner.models.sizes.architectures import encoder_config, parameter_counts

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
configs = {
    encoder: encoder_config(EncoderSpec.from_dict(spec), snakemake.input.get(encoder))
    for encoder, spec in snakemake.params.encoders.items()
}
with open(snakemake.output[0], "w", newline="") as handle:
    writer = csv.DictWriter(handle, fieldnames=["model", "total", "trainable", "encoder", "head"])
    writer.writeheader()
    for model in snakemake.params.models:
        encoder, head = split_model(model)
        counts = parameter_counts(configs[encoder], head, snakemake.params.n_labels)
        writer.writerow({"model": model, **counts})
        log.info("%s: %s", model, counts)
