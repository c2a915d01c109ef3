"""Peak memory and time per rule from Snakemake benchmark files (`clinical-ner job-stats`)."""

from __future__ import annotations

import json
from pathlib import Path

from clinical_ner.cli import main
from clinical_ner.job_stats import read_benchmarks, summarise

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def write(folder: Path, job: str, seconds: float, rss: str) -> None:
    path = folder / f"{job}.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{seconds}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{seconds / 2}\n")


def test_rules_largest_job_and_skipped_files(tmp_path, capsys):
    bench = tmp_path / "benchmarks"
    write(bench, "train_final/bert-crf/full/f1/seed42", 150.5, "2715.6")
    write(bench, "train_final/scratch-apt/full/f1/seed42", 90.0, "1185.6")
    write(bench, "predict_test/bert-crf/full/f1/seed42", 60.0, "880.2")
    write(bench, "generate_corpus", 45.7, "-")  # a job too short for a memory sample
    (bench / "broken.tsv").write_text("s\tmax_rss\n")
    jobs, skipped = read_benchmarks(bench)
    assert [j["job"] for j in jobs] == ["generate_corpus", "predict_test/bert-crf/full/f1/seed42",
                                        "train_final/bert-crf/full/f1/seed42", "train_final/scratch-apt/full/f1/seed42"]
    assert skipped == [{"file": str(bench / "broken.tsv"), "reason": "no benchmark line with a wall time (column s)"}]
    summary = summarise(jobs)
    assert summary["largest_job"] == {"job": "train_final/bert-crf/full/f1/seed42", "max_rss_mb": 2715.6, "seconds": 150.5}
    assert summary["rules"]["train_final"] == {"jobs": 2, "seconds_sum": 240.5, "seconds_max": 150.5, "cpu_seconds_sum": 120.25,
                                               "max_rss_mb": 2715.6, "largest_job": "train_final/bert-crf/full/f1/seed42"}
    assert list(summary["rules"]) == ["train_final", "predict_test", "generate_corpus"]  # largest memory first
    assert summary["rules"]["generate_corpus"]["max_rss_mb"] is None and summary["job_seconds_sum"] == 346.2
    assert summary["cpu_seconds_sum"] == 173.1

    out = tmp_path / "stats.json"
    assert main(["job-stats", str(bench), "--output", str(out)]) == 0
    printed = capsys.readouterr()
    assert "largest job: train_final/bert-crf/full/f1/seed42 (peak RSS 2716 MB, 150 s)" in printed.out
    assert "| train_final | 2 | 240.5 | 150.5 | 120.2 | 2716 |" in printed.out and "skipped" in printed.err
    assert json.loads(out.read_text())["largest_job"]["max_rss_mb"] == 2715.6


def test_an_empty_folder_is_an_error(tmp_path, capsys):
    assert main(["job-stats", str(tmp_path)]) == 1
    assert "no readable benchmark files" in capsys.readouterr().err
