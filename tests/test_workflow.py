"""End to end: the whole default DAG in a copy of the workflow, then what a user looks at."""

from __future__ import annotations

import json
import re
import shutil

import matplotlib.image as mpimg
import pandas as pd
import pytest
import yaml
from workflow_helpers import ROOT, snakemake

from clinical_ner.config import CRFSUITE_MODEL, fractions, load_config, model_names, seeds
from clinical_ner.data.brat import read_corpus
from clinical_ner.data.report import CorpusReport

pytestmark = pytest.mark.slow
CONFIG = load_config(ROOT / "config.yaml")
SEEDS = seeds(CONFIG)
MODELS = model_names(CONFIG) + [CRFSUITE_MODEL]
# (model, run folder) of every model the tables report: whole training split, every seed (CRF: first seed)
RUNS = [
    (model, f"{regime}/f1/seed{seed}")
    for model in MODELS
    for regime in CONFIG["regimes"]
    for seed in (SEEDS[:1] if model == CRFSUITE_MODEL else SEEDS)
]


@pytest.fixture(scope="module")
def workdir(default_dag):
    return default_dag


def job_counts(output: str) -> dict[str, int]:
    """The `Job stats` table of a dry run: rule -> count."""
    stats = output.split("Job stats:", 1)[1]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", stats, flags=re.M)}


def test_data_stage_outputs(workdir):
    data = workdir / "results" / "data"
    for regime in ("full", "downsampled"):
        for split in ("train", "val", "test"):
            assert (data / regime / f"{split}.jsonl").stat().st_size > 0
    assert (data / "downsampled" / "test.jsonl").read_bytes() == (data / "full" / "test.jsonl").read_bytes()
    report = json.loads((data / "report.json").read_text())
    assert set(report["sources"]) == {"train", "test"}
    assert report["total"]["entities_kept"] > 0
    sentences = pd.read_csv(data / "sentence_counts.csv").set_index(["regime", "split"])
    assert sentences.loc[("full", "train"), "plain_fraction"] > 0.6
    assert sentences.loc[("downsampled", "train"), "plain_fraction"] == pytest.approx(0.2, abs=0.02)
    split = pd.read_csv(data / "split.tsv", sep="\t")
    train_docs = CONFIG["corpus"]["synthetic"]["train_docs"]
    assert (split["split"] == "val").sum() == round(train_docs * 0.1)


def test_every_model_beats_the_majority_baseline(workdir):
    for model, regime in RUNS:
        summary = json.loads((workdir / "results" / "eval" / model / regime / "summary.json").read_text())
        # all-O predictions score 1/19 of O's F1 (< 0.06) in macro BIO-strict
        assert summary["bio_strict"]["macro"]["f1"] > 0.25, (model, regime, summary["bio_strict"]["macro"])


def test_predicted_ann_files_read_back_without_errors(workdir, tmp_path):
    gold = workdir / "results" / "corpus" / "test"
    for model, regime in RUNS:
        report = CorpusReport()
        folder = tmp_path / model / regime
        shutil.copytree(workdir / "results" / "predictions" / model / regime / "ann", folder)
        for ann in folder.glob("*.ann"):
            shutil.copy(gold / ann.with_suffix(".txt").name, folder)
        documents = read_corpus(folder, None, report)
        assert len(documents) == CONFIG["corpus"]["synthetic"]["test_docs"]
        assert report.warnings == []
        assert sum(len(d.entities) for d in documents) > 0


def test_tables_name_every_model_and_mark_the_best(workdir):
    tables = workdir / "results" / "tables"
    macro = (tables / "table2_macro_bio_strict_full.md").read_text()
    for encoder in CONFIG["encoders"].values():
        assert encoder["label"] in macro
    assert "**" in macro
    assert "\\textbf{" in (tables / "table3_weighted_bio_strict_full.tex").read_text()
    parameters = pd.read_csv(tables / "table1_parameters.csv")
    transformers = [m for m in model_names(CONFIG) if not m.startswith("bilstm-")]  # the BiLSTM is not in Table I
    assert len(parameters) == len(transformers)
    assert parameters.loc[parameters["model"] == "MiniLM-L6 (pre-trained)-Apt", "change_percent"].item() == 0
    ablations = pd.read_csv(tables / "table4_ablations_full.csv")
    assert {"no_O", "no_ADE_Reason", "no_O_ADE_Reason", "merge_ADE_into_Reason"} <= set(ablations["ablation"])
    # beyond the study: baselines, mean ± sd over seeds (every seed kept in the CSV), intervals, p-values
    assert CONFIG["baselines"]["crfsuite"]["label"] in macro and "BiLSTM" in macro
    assert "95%_ci" in macro and "p_vs_reference" in macro and "ref" in macro
    long = pd.read_csv(tables / "table2_macro_bio_strict_full.csv")
    assert {str(seed) for seed in SEEDS} | {"mean", "sd"} == set(long["seed"].astype(str))  # every seed kept
    assert (" ± " in macro) == (len(SEEDS) > 1)  # mean ± sd over several seeds
    stats = pd.read_csv(workdir / "results" / "eval" / "statistics_full.csv")
    assert (stats["low"] <= stats["estimate"]).all() and (stats["estimate"] <= stats["high"]).all()
    assert stats["p_value"].dropna().between(0, 1).all()
    curves = pd.read_csv(tables / "learning_curves.csv")
    full = curves[curves["regime"] == "full"]
    assert sorted(set(full["fraction"])) == sorted(CONFIG["training_fractions"])
    assert full["model"].nunique() == len(CONFIG["learning_curve_models"])  # only the configured curve models
    assert CONFIG["baselines"]["crfsuite"]["label"] in set(full["model"]) and "MiniLM-L6 (pre-trained)-Apt" not in set(full["model"])
    assert full.groupby("model")["train_sentences"].nunique().eq(len(CONFIG["training_fractions"])).all()
    crossing = pd.read_csv(tables / "learning_curves_crossing.csv")
    assert set(crossing["metric"]) == {"bio_macro_f1", "span_strict_f1"} and crossing["statement"].str.len().gt(0).all()


def test_figures_are_real_images(workdir):
    figures = workdir / "results" / "figures"
    paths = [figures / "label_distribution.png", figures / "regime_comparison.png", figures / "forest_full.png",
             figures / "learning_curves.png"]
    paths += sorted((figures / "runs" / "scratch-crf" / "full").glob("*.png"))
    assert len(paths) == 11  # 4 overview figures, 6 per-run figures, the reliability diagram
    for path in paths:
        image = mpimg.imread(path)
        assert image.shape[0] > 200 and image.shape[1] > 200, path
        assert image.std() > 0.01, path
        assert path.with_suffix(".pdf").stat().st_size > 1000


def test_nothing_left_to_do_and_report_builds(workdir):
    dry = snakemake(workdir, "-n", "--cores", "2")
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert "Nothing to be done" in dry.stdout + dry.stderr
    report = snakemake(workdir, "--cores", "1", "--report", "results/report.html")
    assert report.returncode == 0, report.stderr[-3000:]
    assert (workdir / "results" / "report.html").stat().st_size > 100_000


def test_changing_one_encoder_reruns_only_what_depends_on_it(workdir):
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["encoders"]["scratch"]["training"] = {"epochs": 2}
    changed = workdir / "changed.yaml"
    changed.write_text(yaml.safe_dump(config))
    dry = snakemake(workdir, "-n", "--cores", "2", "--configfile", str(changed))
    assert dry.returncode == 0, dry.stderr[-3000:]
    counts = job_counts(dry.stdout)
    runs = sum(  # every seed on the whole split, the first seed on learning-curve subsets
        len(SEEDS) if fraction == 1.0 else 1
        for head in CONFIG["heads"]
        for regime in CONFIG["regimes"]
        for fraction in fractions(CONFIG, regime, f"scratch-{head}")
    )
    assert counts["train_candidate"] == len(CONFIG["heads"]) * len(CONFIG["regimes"]) * len(
        CONFIG["training"]["search"]["learning_rate"])
    assert counts["train_final"] == runs
    assert counts["evaluate"] == runs
    assert "train_crfsuite" not in counts
    assert "generate_corpus" not in counts and "adapt_encoder" not in counts
    assert counts["make_tables"] == 1


def test_score_command_equals_the_pipeline_span_tables(workdir, tmp_path, capsys):
    from clinical_ner.cli import main

    types = sorted(set(CONFIG["corpus"]["label_map"].values()))
    gold = workdir / "results" / "corpus" / "test"
    for model, regime in RUNS[:2]:
        run = workdir / "results" / "eval" / model / regime
        out = tmp_path / f"{model}-{regime.replace('/', '_')}.csv"
        predicted = workdir / "results" / "predictions" / model / regime / "ann"
        assert main(["score", "--gold", str(gold), "--pred", str(predicted), "--types", *types, "--out", str(out)]) == 0
        scores = pd.read_csv(out, keep_default_na=False)
        for semantics, name in (("n2c2", "spans_official_semantics.csv"), ("one_to_one", "spans.csv")):
            pipeline = pd.read_csv(run / name, keep_default_na=False)
            mine = scores[scores["semantics"] == semantics].drop(columns=["semantics", "note"]).reset_index(drop=True)
            pd.testing.assert_frame_equal(mine, pipeline, check_exact=False, atol=1e-6)
    tables = workdir / "results" / "tables"
    assert "n2c2-2018" in (tables / "spans_official_semantics_full.md").read_text()


def test_error_taxonomy_equals_the_strict_span_counts_and_every_model_has_an_error_page(workdir):
    """correct, and the rule of `error_taxonomy.SPAN_COUNTS`, give the strict n2c2 TP/FP/FN of every run."""
    from clinical_ner.evaluation.error_taxonomy import ALL_TYPES, span_counts

    for model, run in RUNS:
        folder = workdir / "results" / "eval" / model / run
        counts = span_counts(pd.read_csv(folder / "error_taxonomy.csv", keep_default_na=False))
        spans = pd.read_csv(folder / "spans_official_semantics.csv", keep_default_na=False).query("mode == 'strict'")
        expected = spans[spans["label"] != "macro avg"].replace({"label": {"micro avg": ALL_TYPES}})
        assert counts.values.tolist() == expected[["label", "tp", "fp", "fn"]].values.tolist(), (model, run)
    for regime in CONFIG["regimes"]:
        table = (workdir / "results" / "tables" / f"error_taxonomy_{regime}.md").read_text()
        assert all(encoder["label"] in table for encoder in CONFIG["encoders"].values())
        for model in MODELS:
            page = (workdir / "results" / "errors" / regime / f"{model}.html").read_text(encoding="utf-8")
            assert '<script id="viewer-data"' in page
            assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), (regime, model)
