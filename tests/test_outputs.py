"""Writers put their files exactly where the caller says: a stem, or the files a workflow rule declared."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from workflow_helpers import ROOT

from clinical_ner.data.distribution import load_regimes, read_regimes
from clinical_ner.data.jsonl import write_sentences
from clinical_ner.data.records import Sentence
from clinical_ner.evaluation import figures, run_files, tables
from clinical_ner.labels import ENTITY_TYPES
from clinical_ner.paths import output_paths


def test_output_paths_from_stem_or_declared_files(tmp_path):
    assert output_paths(tmp_path / "a" / "fig", [".png", ".pdf"]) == {
        ".png": tmp_path / "a" / "fig.png",
        ".pdf": tmp_path / "a" / "fig.pdf",
    }
    declared = [tmp_path / "x" / "one.pdf", tmp_path / "y" / "two.png"]  # any names, any folders, any order
    assert output_paths(declared, [".png", ".pdf"]) == {".png": declared[1], ".pdf": declared[0]}
    assert (tmp_path / "x").is_dir() and (tmp_path / "y").is_dir()
    with pytest.raises(ValueError, match=r"\.pdf"):
        output_paths([tmp_path / "only.png"], [".png", ".pdf"])


def test_table_written_to_the_declared_files(tmp_path):
    files = [tmp_path / "csv" / "t.csv", tmp_path / "md" / "t.md", tmp_path / "tex" / "t.tex"]
    written = tables.write_table(pd.DataFrame({"model": ["a", "b"], "f1": [0.5, 0.7]}), files, "cap", ["f1"])
    assert written == files
    assert "**0.7000**" in files[1].read_text() and r"\label{tab:t}" in files[2].read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv", "md", "tex"]


def test_figure_written_to_the_declared_files(tmp_path):
    files = [tmp_path / "png" / "curve.png", tmp_path / "pdf" / "curve.pdf"]
    histories = {"hp0": pd.DataFrame({"epoch": [1, 2], "train_loss": [1.0, 0.5], "val_loss": [1.1, 0.8],
                                      "val_macro_f1": [0.2, 0.4]})}
    assert figures.plot_training_curves(histories, files) == files
    assert all(path.stat().st_size > 1000 for path in files)


def test_evaluation_written_to_named_files(tmp_path):
    rows = [{"doc_id": "d", "sent": 0, "tokens": ["a", "b"], "tags": ["B-Drug", "O"], "pred": ["B-Drug", "O"]}]
    frames = run_files.evaluate_rows(rows, ENTITY_TYPES)
    named = {key: tmp_path / f"{key}-file.csv" for key in frames} | {"summary": tmp_path / "s.json"}
    assert sorted(run_files.write_evaluation(frames, named)) == sorted(named.values())
    assert json.loads((tmp_path / "s.json").read_text())["bio_strict"]["micro"]["f1"] == 1.0
    with pytest.raises(ValueError, match="summary"):
        run_files.write_evaluation(frames, {key: tmp_path / f"{key}.csv" for key in frames})


def test_read_regimes_reads_the_given_files(tmp_path):
    sentence = Sentence("d", 0, ["x"], [(0, 1)], ["O"])
    write_sentences(tmp_path / "anywhere.jsonl", [sentence])
    assert read_regimes([("full", "train", tmp_path / "anywhere.jsonl")]) == {"full": {"train": [sentence]}}
    write_sentences(tmp_path / "full" / "test.jsonl", [sentence])
    assert load_regimes(tmp_path) == {"full": {"test": [sentence]}}


def test_scripts_derive_no_paths_from_their_declared_files():
    """Every file a script touches comes from its rule's input/output/log: no `Path(...).parent` tricks."""
    offenders = {
        path.name: line.strip()
        for path in sorted((ROOT / "workflow" / "scripts").glob("*.py"))
        for line in path.read_text().splitlines()
        if re.search(r"snakemake\.(input|output)\S*\)?\.(parent|with_suffix|with_name)", line)
    }
    assert offenders == {}
