"""The data stages of the DAG pointed at a real BRAT corpus (PHEE) with its shipped dev split."""

from __future__ import annotations

import json

import pandas as pd
import yaml

from clinical_ner.data.jsonl import read_sentences
from workflow_helpers import copy_workflow, snakemake



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
