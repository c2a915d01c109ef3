"""The whole DAG on the embedded default with `protocol: paper` (tiny models): it runs end to end, and
what it writes is the study's protocol: sub-word units, selection, down-sampling, pinned settings."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from workflow_helpers import copy_workflow, snakemake

from clinical_ner.data.jsonl import iter_jsonl

pytestmark = pytest.mark.slow
RUN = "full/f1/seed42"  # regime / fraction of the training documents / seed
TINY = {
    "protocol": "paper",
    "corpus": {"synthetic": {"train_docs": 10, "test_docs": 4}},
    "encoders": {"scratch": {"label": "Transformer", "source": "scratch", "architecture": {
        "n_layers": 1, "dim": 16, "n_heads": 2, "hidden_dim": 32, "vocab_size": 300, "max_position_embeddings": 256}}},
    "training": {
        "settings": {"epochs": 2, "batch_size": 8, "learning_rate": 0.003},
        "search": {"learning_rate": [0.003, 0.01]},
        "pinned": {"scratch-crf": {"epochs": 1, "batch_size": 8, "learning_rate": 0.005}},
        "seeds": [42],
    },
    "training_fractions": [1.0],
    "baselines": {"crfsuite": {"enabled": False}},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    workdir = copy_workflow(tmp_path_factory.mktemp("paper"))
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    run = snakemake(workdir, "--cores", "2", "--configfile", "tiny.yaml")
    assert run.returncode == 0, run.stderr[-4000:]
    return workdir / "results"


def test_tables_and_scores_say_which_protocol_produced_them(results):
    assert "protocol: paper, scored on sub-word tags" in (results / "tables" / "table2_macro_bio_strict_full.md").read_text()
    summary = json.loads((results / "eval" / "scratch-crf" / RUN / "summary.json").read_text())
    assert (summary["units"], summary["protocol"], summary["subwords_truncated"]) == ("subword", "paper", 0)
    rows = list(iter_jsonl(results / "predictions" / "scratch-crf" / RUN / "test.jsonl"))
    assert summary["n_tokens"] == sum(len(r["subword_tags"]) for r in rows) > sum(len(r["tokens"]) for r in rows)
    assert all(len(r["subword_pred"]) == len(r["subwords"]) and len(r["pred"]) == len(r["tokens"]) for r in rows)
    # the bootstrap resamples the same (sub-word) scores as the tables
    statistics = pd.read_csv(results / "eval" / "statistics_full.csv")
    estimate = statistics[(statistics["model"] == "Transformer (from scratch)-CRF") & (statistics["metric"] == "bio_macro_f1")]["estimate"]
    assert estimate.item() == pytest.approx(summary["bio_strict"]["macro"]["f1"], abs=1e-6)


def test_selection_downsampling_and_pins_follow_the_study(results):
    models = results / "models"
    selected = json.loads((models / "scratch-apt" / "downsampled" / "selected.json").read_text())
    assert selected["rank_by"] == "mean_macro_prf" and len(selected["ranking"]) == 2
    candidate = json.loads((models / "scratch-apt" / "downsampled" / "search" / "hp0" / "summary.json").read_text())
    full_val = sum(1 for _ in iter_jsonl(results / "data" / "full" / "val.jsonl"))
    assert candidate["n_val_sentences"] == full_val  # validation is not down-sampled during selection
    assert candidate["selection"] == "minimum validation loss"
    assert candidate["settings"]["units"] == "subword" and candidate["settings"]["max_grad_norm"] == 0
    assert "kept with probability 0.08" in (results / "logs" / "downsample.log").read_text()
    pinned = json.loads((models / "scratch-crf" / "full" / "selected.json").read_text())
    assert pinned["candidate"] == "pinned" and not (models / "scratch-crf" / "full" / "search").exists()
    final = json.loads((models / "scratch-crf" / RUN / "final" / "summary.json").read_text())
    train_val = sum(1 for split in ("train", "val") for _ in iter_jsonl(results / "data" / "full" / f"{split}.jsonl"))
    assert final["epochs_run"] == 1 and final["n_train_sentences"] == train_val
    assert final["train_windows"]["subwords_truncated"] == 0


def test_the_study_figures_are_drawn_for_the_grid(results):
    study = results / "figures" / "study"
    assert sorted(p.stem for p in study.glob("*.png")) == [  # one encoder: no CRF models side by side (Figs. 4-7)
        "fig08_bio_strict_report_scratch-apt", "fig09_bio_strict_confusion_scratch-apt",
    ]
    assert all(p.with_suffix(".pdf").stat().st_size > 1000 for p in study.glob("*.png"))
