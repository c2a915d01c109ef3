import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from clinical_ner.data.jsonl import read_sentences
from clinical_ner.evaluation.learning_curves import crossing_points, curve_table
from clinical_ner.evaluation.statistics_figures import plot_learning_curves
from clinical_ner.evaluation.tables import write_table
from clinical_ner.logs import configure_logging

if TYPE_CHECKING:
    from snakemake.script import Snakemake

snakemake: "Snakemake" = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = configure_logging(snakemake.log[0])
names = snakemake.params.names
sizes = {}
for (regime, fraction), path in zip(snakemake.params.subsets, snakemake.input.train):
    sentences = read_sentences(path)
    sizes[(regime, fraction)] = (len({s.doc_id for s in sentences}), len(sentences))
rows = []
for (model, regime, fraction, seed), summary, spans in zip(
    snakemake.params.runs, snakemake.input.evaluations, snakemake.input.spans
):
    span = pd.read_csv(spans, keep_default_na=False)
    strict = span[(span["mode"] == "strict") & (span["label"] == "micro avg")]["f1"].item()
    documents, n_sentences = sizes[(regime, fraction)]
    rows.append({
        "model": names[model], "regime": regime, "fraction": float(fraction), "seed": seed,
        "train_documents": documents, "train_sentences": n_sentences,
        "bio_macro_f1": json.loads(Path(summary).read_text())["bio_strict"]["macro"]["f1"], "span_strict_f1": strict,
    })
table = curve_table(pd.DataFrame(rows))
from_scratch = [names[m] for m in snakemake.params.from_scratch]
pretrained = [names[m] for m in snakemake.params.pretrained]
crossing = crossing_points(table, from_scratch, pretrained=pretrained)
several_seeds = len({run[3] for run in snakemake.params.runs}) > 1
write_table(table, snakemake.output.table,
            "Learning curves: test macro BIO-strict F1 and strict entity-level micro F1 (official n2c2-2018 "
            "semantics) against the training documents and sentences of the training split (nested subsets; "
            + ("the validation documents, added for the final re-training, " if snakemake.params.retrain
               else "the validation documents ")
            + "and the test set unchanged)" + ("; mean and sd over seeds" if several_seeds else ""),
            formats={"fraction": "{:g}"})
write_table(crossing, snakemake.output.crossing,
            "Where pre-trained encoders (" + (", ".join(pretrained) or "none in this run") + ") stop beating the "
            "from-scratch models (" + ", ".join(from_scratch) + "): best pre-trained minus best from-scratch mean "
            "score; random-init stand-ins take no part")
for line in crossing.itertuples():
    log.info("%s %s: %s", line.regime, line.metric, line.statement)
regime = table.groupby("regime")["fraction"].nunique().idxmax()  # the regime with the most training sizes
plot_learning_curves(table[table["regime"] == regime], [snakemake.output.png, snakemake.output.pdf],
                     title=f"Learning curves ({regime} training" + ("; mean ± sd over seeds)" if several_seeds else ")"))
