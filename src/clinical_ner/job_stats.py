"""Run time and peak memory of a workflow's jobs, from the Snakemake benchmark files (`benchmark:` of
every rule, one TSV per job under ``results/benchmarks/<rule>/...``): per rule the job count, the summed
and longest wall time and the largest peak resident memory (``max_rss``, MB), and the largest job."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

COLUMNS = ("s", "max_rss", "cpu_time")


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "", "-", "NA") else None
    except ValueError:
        return None


def read_benchmarks(folder: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(jobs, skipped): one row per benchmark TSV under `folder` (job = its path without ``.tsv``, rule =
    its first part; the last line when a job was benchmarked several times), and the files that could not
    be read, each with the reason."""
    folder = Path(folder)
    jobs: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for path in sorted(folder.rglob("*.tsv")):
        job = path.relative_to(folder).with_suffix("").as_posix()
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle, delimiter="\t"))
        except (OSError, UnicodeDecodeError) as error:
            skipped.append({"file": str(path), "reason": str(error)})
            continue
        if not rows or _number(rows[-1].get("s")) is None:
            skipped.append({"file": str(path), "reason": "no benchmark line with a wall time (column s)"})
            continue
        values = {column: _number(rows[-1].get(column)) for column in COLUMNS}
        jobs.append({"job": job, "rule": job.split("/")[0], **values})
    return jobs, skipped


def summarise(jobs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Per rule: jobs, wall seconds (sum, max), CPU seconds (sum), max_rss_mb (max) and its job; overall: the
    largest job by peak memory and the summed job and CPU time (the run's wall time is less where jobs ran
    in parallel; a job's wall time grows on a loaded machine, its CPU time much less)."""
    jobs = list(jobs)
    rules: dict[str, dict[str, Any]] = {}
    for row in jobs:
        rule = rules.setdefault(row["rule"], {"jobs": 0, "seconds_sum": 0.0, "seconds_max": 0.0, "cpu_seconds_sum": 0.0,
                                              "max_rss_mb": None, "largest_job": None})
        rule["jobs"] += 1
        rule["seconds_sum"] = round(rule["seconds_sum"] + row["s"], 2)
        rule["cpu_seconds_sum"] = round(rule["cpu_seconds_sum"] + (row["cpu_time"] or 0.0), 2)
        rule["seconds_max"] = max(rule["seconds_max"], row["s"])
        if row["max_rss"] is not None and (rule["max_rss_mb"] is None or row["max_rss"] > rule["max_rss_mb"]):
            rule["max_rss_mb"], rule["largest_job"] = row["max_rss"], row["job"]
    measured = [row for row in jobs if row["max_rss"] is not None]
    largest = max(measured, key=lambda row: row["max_rss"]) if measured else None
    return {
        "jobs": len(jobs),
        "job_seconds_sum": round(sum(row["s"] for row in jobs), 2),
        "cpu_seconds_sum": round(sum(row["cpu_time"] or 0.0 for row in jobs), 2),
        "largest_job": {"job": largest["job"], "max_rss_mb": largest["max_rss"], "seconds": largest["s"]}
        if largest else None,
        "rules": dict(sorted(rules.items(), key=lambda item: -(item[1]["max_rss_mb"] or 0))),
    }


def format_summary(summary: dict[str, Any]) -> str:
    """A Markdown table of the rules, largest peak memory first, with the totals above it."""
    lines = [f"{summary['jobs']} jobs, {summary['job_seconds_sum']:.0f} s of job time "
             f"({summary['cpu_seconds_sum']:.0f} s of CPU time) in all"]
    if summary["largest_job"]:
        big = summary["largest_job"]
        lines.append(f"largest job: {big['job']} (peak RSS {big['max_rss_mb']:.0f} MB, {big['seconds']:.0f} s)")
    lines += ["", "| rule | jobs | seconds (sum) | seconds (max) | CPU seconds (sum) | peak RSS (MB) | its job |",
              "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, rule in summary["rules"].items():
        rss = "" if rule["max_rss_mb"] is None else f"{rule['max_rss_mb']:.0f}"
        lines.append(f"| {name} | {rule['jobs']} | {rule['seconds_sum']:.1f} | {rule['seconds_max']:.1f} | "
                     f"{rule['cpu_seconds_sum']:.1f} | {rss} | {rule['largest_job'] or ''} |")
    return "\n".join(lines) + "\n"
