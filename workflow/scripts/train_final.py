import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences
from clinical_ner.labels import bio_labels
from clinical_ner.logs import configure_logging
from clinical_ner.models.card import write_training_card
from clinical_ner.models.encoders import EncoderSpec
from clinical_ner.models.training import TrainSettings, train

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
selected = json.loads(Path(snakemake.input.selected).read_text())
if snakemake.params.retrain:
    settings = TrainSettings.from_dict(
        {**selected["settings"], "epochs": selected["best_epoch"], "threads": snakemake.threads}
    )
    train_val = read_sentences(snakemake.input.train) + read_sentences(snakemake.input.val)
    summary = train(
        EncoderSpec.from_dict(snakemake.params.encoder),
        snakemake.wildcards.head,
        bio_labels(snakemake.params.types),
        settings,
        train_val,
        None,
        snakemake.output[0],
        log=log.info,
        checkpoint_dir=snakemake.params.checkpoint_dir,
    )
    write_training_card(
        snakemake.output[0], summary, [snakemake.input.train, snakemake.input.val], train_val,
        {**snakemake.params.provenance, "split": "train+validation", "selected_candidate": selected["candidate"]},
        snakemake.params.encoder_label,
        validation={"macro_f1": selected["val_macro_f1"], "loss": selected["val_loss"],
                    "note": f"of candidate {selected['candidate']} (trained on train only) at epoch "
                            f"{selected['best_epoch']}, which selected these settings"},
    )
    log.info("re-trained %s on train+validation (%d sentences) for %d epochs",
             selected["candidate"], len(train_val), settings.epochs)
else:
    source = next(Path(d) for d in snakemake.input.candidates if Path(d).name == selected["candidate"])
    shutil.copytree(source, snakemake.output[0])
    log.info("kept candidate %s as trained on train only", selected["candidate"])
