from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences
from clinical_ner.labels import bio_labels
from clinical_ner.logs import configure_logging
from clinical_ner.models.cards.model_card import write_training_card
from clinical_ner.models.encoders.spec import EncoderSpec
from clinical_ner.models.train.job import train
from clinical_ner.models.train.settings import TrainSettings

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
settings = TrainSettings.from_dict({**snakemake.params.settings, "threads": snakemake.threads})
train_sentences = read_sentences(snakemake.input.train)
summary = train(
    EncoderSpec.from_dict(snakemake.params.encoder),
    snakemake.wildcards.head,
    bio_labels(snakemake.params.types),
    settings,
    train_sentences,
    read_sentences(snakemake.input.val),
    snakemake.output[0],
    log=log.info,
    checkpoint_dir=snakemake.params.checkpoint_dir,
)
write_training_card(snakemake.output[0], summary, [snakemake.input.train], train_sentences,
                    {**snakemake.params.provenance, "split": "train"}, snakemake.params.encoder_label)
log.info("best epoch %s: validation macro-F1 %.4f, loss %.4f",
         summary["best_epoch"], summary["best_val_macro_f1"], summary["best_val_loss"])
