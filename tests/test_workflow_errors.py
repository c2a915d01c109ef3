"""The error-analysis rules in the DAG, run alone on a fixture: predictions of two models placed where
predict_test writes them, only the new rules allowed to run."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from helpers_errors import write_corpus
from workflow_helpers import copy_workflow, snakemake

from clinical_ner.data.subsets import fraction_id
from clinical_ner.evaluation.brat_scoring import score_folders
from clinical_ner.evaluation.error_taxonomy import ALL_TYPES, span_counts

MODELS = ("scratch-crf", "bilstm-crf")
RULES = ("error_taxonomy", "error_taxonomy_table", "error_viewer")
RUN = f"full/f{fraction_id(1.0)}/seed42"


@pytest.mark.slow
def test_the_error_rules_on_a_fixture(tmp_path):
    workdir = copy_workflow(tmp_path / "wf")
    gold, predicted = write_corpus(tmp_path / "corpus")
    label_map = {t: t for t in ("ADE", "Dosage", "Drug", "Frequency", "Route", "Strength")}
    config = {
        "corpus": {"source": "brat", "train": str(gold), "test": str(gold), "label_map": label_map},
        "encoders": {"scratch": {"label": "Scratch", "source": "scratch", "architecture": {
                         "n_layers": 1, "dim": 16, "n_heads": 2, "hidden_dim": 32, "vocab_size": 200,
                         "max_position_embeddings": 64}},
                     "bilstm": {"label": "BiLSTM", "source": "bilstm", "architecture": {
                         "n_layers": 1, "dim": 16, "hidden_dim": 16, "vocab_size": 200}}},
        "heads": ["crf"], "regimes": ["full"], "training": {"seeds": [42]}, "training_fractions": [1.0],
        "learning_curve_models": None, "baselines": {"crfsuite": {"enabled": False}},
    }
    (workdir / "fixture.yaml").write_text(yaml.safe_dump(config))
    for model in MODELS:
        shutil.copytree(predicted, workdir / f"results/predictions/{model}/{RUN}/ann")
    targets = ["results/tables/error_taxonomy_full.md", *(f"results/errors/full/{m}.html" for m in MODELS)]
    run = snakemake(workdir, "--cores", "1", "--configfile", "fixture.yaml", "--allowed-rules", *RULES, "--", *targets)
    assert run.returncode == 0, run.stderr[-4000:]

    counts = pd.read_csv(workdir / f"results/eval/{MODELS[0]}/{RUN}/error_taxonomy.csv")
    strict = score_folders(gold, predicted, label_map)["n2c2"].query("mode == 'strict' and label == 'micro avg'")
    total = span_counts(counts).set_index("label").loc[ALL_TYPES]
    assert total.tolist() == strict[["tp", "fp", "fn"]].iloc[0].tolist() == [3, 3, 4]
    table = (workdir / "results/tables/error_taxonomy_full.md").read_text()
    assert "| Scratch (from scratch)-CRF | all types | 3 |" in table and "| BiLSTM (from scratch)-CRF |" in table
    assert (workdir / "results/figures/error_taxonomy_full.png").stat().st_size > 5_000
    page = (workdir / "results/errors/full/scratch-crf.html").read_text()
    assert '"links":[{"name":"BiLSTM (from scratch)-CRF","href":"bilstm-crf.html"}]' in page
    assert (workdir / "results/logs/error_viewer/full/scratch-crf.log").is_file()
    assert (workdir / "results/benchmarks/error_viewer/full/scratch-crf.tsv").is_file()
