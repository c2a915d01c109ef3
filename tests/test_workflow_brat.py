"""The data stages of the DAG pointed at a real BRAT corpus (PHEE) with its shipped dev split."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from workflow_helpers import copy_workflow, snakemake

from clinical_ner.data.jsonl import read_sentences


def test_phee_through_the_data_stages(tmp_path, phee_dir, phee_label_map):
    workdir = copy_workflow(tmp_path / "wf")
    config = {
        "corpus": {
            "source": "brat",
            "train": str(phee_dir / "train"),
            "test": str(phee_dir / "test"),
            "dev": str(phee_dir / "dev"),
            "label_map": phee_label_map,
        },
        "split": {"use_dev": True},
    }
    (workdir / "phee.yaml").write_text(yaml.safe_dump(config))
    targets = ["results/data/report.json", "results/data/label_distribution.csv", "results/data/downsampled/train.jsonl"]
    run = snakemake(workdir, *targets, "--cores", "2", "--configfile", "phee.yaml")
    assert run.returncode == 0, run.stderr[-4000:]

    report = json.loads((workdir / "results/data/report.json").read_text())
    assert set(report["sources"]) == {"train", "test", "dev"}
    for part, folder in (("train", "train"), ("test", "test"), ("dev", "dev")):
        source = report["sources"][part]
        assert source["documents"] == len(list((phee_dir / folder).glob("*.txt")))
        assert source["warnings"] == []
        assert source["consistency_errors"] == []
        assert source["dropped"]["unmapped_type"]["Subject"] > 0  # unmapped types are counted, not lost

    val = read_sentences(workdir / "results/data/full/val.jsonl")
    assert {s.doc_id for s in val} == {p.stem for p in (phee_dir / "dev").glob("*.txt")} - _empty_docs(phee_dir / "dev")
    tags = {t for s in read_sentences(workdir / "results/data/full/train.jsonl") for t in s.tags}
    assert {t.split("-", 1)[-1] for t in tags} - {"O"} <= set(phee_label_map.values())
    counts = pd.read_csv(workdir / "results/data/sentence_counts.csv")
    assert set(counts["split"]) == {"train", "val", "test"}


def _empty_docs(folder):
    return {p.stem for p in folder.glob("*.txt") if not p.read_text(encoding="utf-8").strip()}


TINY_MODELS = {
    "encoders": {"scratch": {"label": "Transformer", "source": "scratch", "architecture": {
        "n_layers": 1, "dim": 16, "n_heads": 2, "hidden_dim": 32, "vocab_size": 400, "max_position_embeddings": 128}}},
    "heads": ["crf"],
    "regimes": ["full"],
    "training": {"settings": {"epochs": 1, "batch_size": 8, "learning_rate": 0.005, "max_length": 128}, "search": {},
                 "seeds": [42]},
    "training_fractions": [1.0],
    "baselines": {"crfsuite": {"enabled": False}},
}


def _subset(source, dest, n):
    dest.mkdir(parents=True)
    for txt in sorted(source.glob("*.txt"))[:n]:
        for path in (txt, txt.with_suffix(".ann")):
            if path.exists():
                (dest / path.name).write_bytes(path.read_bytes())
    return dest


@pytest.mark.slow
def test_phee_config_tables_list_exactly_its_seven_types(tmp_path, phee_dir, phee_label_map):
    """config/phee.yaml layered over the default: the label map replaces the default's, so every report,
    table and figure has the 7 PHEE types, none of the 9 study types it lacks (Form, Strength)."""
    workdir = copy_workflow(tmp_path / "wf")
    for part, n in (("train", 12), ("dev", 4), ("test", 4)):
        _subset(phee_dir / part, workdir / "data" / "phee" / part, n)
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(TINY_MODELS))
    run = snakemake(workdir, "--cores", "2", "--configfile", "config/phee.yaml", "tiny.yaml")
    assert run.returncode == 0, run.stderr[-4000:]

    types = list(dict.fromkeys(phee_label_map.values()))  # the label map's order (as config/phee.yaml's)
    bio = ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]
    results = workdir / "results"
    report = pd.read_csv(results / "eval" / "scratch-crf" / "full" / "f1" / "seed42" / "bio_strict.csv")
    assert report["label"].tolist()[: len(bio)] == bio and len(report) == len(bio) + 3
    token = pd.read_csv(results / "eval" / "scratch-crf" / "full" / "f1" / "seed42" / "token_level.csv")
    assert token["label"].tolist()[:8] == ["O", *types] and len(token) == 8 + 3
    per_type = pd.read_csv(results / "tables" / "spans_per_type_full.csv")
    assert list(dict.fromkeys(per_type["label"])) == types  # (rows per type and seed, then mean and sd rows)
    assert pd.read_csv(results / "tables" / "table1_parameters.csv")["model"].tolist() == ["Transformer (from scratch)-CRF"]
