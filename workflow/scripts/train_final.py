import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.data.jsonl import read_sentences
from clinical_ner.labels import bio_labels
from clinical_ner.logs import configure_logging
from clinical_ner.models.cards.model_card import write_training_card
from clinical_ner.models.encoders.spec import EncoderSpec
from clinical_ner.models.train.final import final_training
from clinical_ner.models.train.job import train
from clinical_ner.models.train.selection import PINNED
from clinical_ner.models.train.settings import TrainSettings

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
selected = json.loads(Path(snakemake.input.selected).read_text())
seed = int(snakemake.wildcards.seed)
fraction = snakemake.wildcards.fraction
pinned = selected["candidate"] == PINNED
decision = final_training(selected["candidate"], snakemake.params.retrain, fraction, seed, snakemake.params.candidate_seed)
retrain = decision.retrain
if decision.keep:
    source = next(Path(d) for d in snakemake.input.candidates if Path(d).name == selected["candidate"])
    shutil.copytree(source, snakemake.output[0])
    log.info("kept candidate %s as trained on train only", selected["candidate"])
else:
    changes = {"threads": snakemake.threads, "seed": seed}
    if retrain:
        changes["epochs"] = selected["best_epoch"]
    settings = TrainSettings.from_dict({**selected["settings"], **changes})
    train_sentences = read_sentences(snakemake.input.train)
    val_sentences = read_sentences(snakemake.input.val)
    data = train_sentences + val_sentences if retrain else train_sentences
    summary = train(
        EncoderSpec.from_dict(snakemake.params.encoder),
        snakemake.wildcards.head,
        bio_labels(snakemake.params.types),
        settings,
        data,
        None if retrain else val_sentences,
        snakemake.output[0],
        log=log.info,
        checkpoint_dir=snakemake.params.checkpoint_dir,
    )
    write_training_card(
        snakemake.output[0], summary,
        [snakemake.input.train, snakemake.input.val] if retrain else [snakemake.input.train], data,
        {**snakemake.params.provenance, "split": "train+validation" if retrain else "train",
         "selected_candidate": selected["candidate"], "seed": seed, "training_fraction": float(fraction)},
        snakemake.params.encoder_label,
        validation=None if pinned else {
            "macro_f1": selected["val_macro_f1"], "loss": selected["val_loss"],
            "note": f"of candidate {selected['candidate']} (trained on train only) at epoch "
                    f"{selected['best_epoch']}, which selected these settings",
        },
    )
    log.info("trained %s (seed %d, fraction %s) on %s: %d sentences", selected["candidate"], seed, fraction,
             "train+validation" if retrain else "train", len(data))
