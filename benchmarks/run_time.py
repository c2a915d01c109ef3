"""Wall and CPU time of one command (the default DAG, the paper-size smoke DAG, the test suite), with the
run time and peak memory of its Snakemake jobs when it wrote a benchmark folder.

    python benchmarks/run_time.py --output benchmarks/results/run_time_default_dag.json \
        -- .venv/bin/snakemake --cores 2 --workflow-profile profiles/default

Start from an empty results folder to time the whole DAG (Snakemake skips what is up to date).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import ROOT, emit, provenance


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=Path, default=None,
                        help="the Snakemake benchmark folder to summarise (e.g. results/benchmarks)")
    parser.add_argument("--output", type=Path, default=None, help="also write the JSON here")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to time")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to time: give it after --")
    origin = provenance(__file__, argv)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    status = subprocess.run(command, cwd=ROOT, env=os.environ).returncode
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict[str, Any] = {
        "benchmark": "run_time", "timed_command": command, "exit_status": status, "wall_seconds": round(wall, 1),
        "cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "nice": os.nice(0),
    }
    if args.jobs is not None and args.jobs.is_dir():
        from clinical_ner.job_stats import read_benchmarks, summarise

        jobs, skipped = read_benchmarks(args.jobs)
        result["jobs"] = summarise(jobs)
        result["jobs_skipped"] = len(skipped)
        # Snakemake's own CPU time (its scheduler, starting the jobs), plus whatever the jobs' benchmarks missed
        result["cpu_seconds_outside_jobs"] = round(result["cpu_seconds"] - result["jobs"]["cpu_seconds_sum"], 1)
    emit(result, args.output, echo=False, provenance_=origin)
    print(f"exit {status}, {wall:.0f} s wall, {result['cpu_seconds']:.0f} s CPU")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
