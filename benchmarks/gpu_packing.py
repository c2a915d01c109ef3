"""Several training jobs on one GPU at once: the aggregate training rate against one job alone.

    python benchmarks/gpu_packing.py --jobs 1,4,8 --output benchmarks/results/gpu/gpu_packing.json \
        -- --layers 12 --dim 768 --heads 12 --hidden-dim 3072 --batch-size 14 --train-docs 40

A training step at the study's batch size keeps a GPU busy for a small share of its time (the host
prepares and launches the kernels), so jobs that share the card can overlap. For each count K of
`--jobs`, K `train_speed.py` processes (the arguments after `--`, each its own seed) start together on
the same device and each reports its training rate and when its training began and ended. Written per K:
the wall time, every job's tokens/s, their sum (the aggregate rate), the aggregate over the rate of one
job alone (the speed-up of packing), and how long all K trained at the same time, as a share of the
mean training time (the overlap: near 1 means the rates were measured side by side). Snakemake packs
jobs this way on one GPU when each training job declares one GPU (`resources: {train: {gpu: 1}}` in the
config) and the card is given more slots than one (`--resources gpu=K`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import emit, load_average, machine, provenance

ROOT = Path(__file__).resolve().parents[1]


def overlap_share(jobs: list[dict[str, Any]]) -> float:
    """How long every job trained at once, over the jobs' mean training time (1.0 for a single job)."""
    starts = [job["training"]["started_unix"] for job in jobs]
    ends = [job["training"]["ended_unix"] for job in jobs]
    together = max(0.0, min(ends) - max(starts))
    mean = sum(e - s for s, e in zip(starts, ends)) / len(jobs)
    return round(together / mean, 3) if mean > 0 else 0.0


def run_jobs(count: int, train_args: list[str], folder: Path, env: dict[str, str]) -> dict[str, Any]:
    """`count` train_speed.py processes started together; their results, the wall time, the aggregate."""
    outputs = [folder / f"jobs{count}-{i}.json" for i in range(count)]
    started = time.perf_counter()
    processes = [
        subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "train_speed.py"), *train_args,
                          "--seed", str(i + 1), "--output", str(out)],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for i, out in enumerate(outputs)
    ]
    errors = [p.communicate()[1] for p in processes]
    wall = time.perf_counter() - started
    jobs, failed = [], []
    for process, out, error in zip(processes, outputs, errors):
        if process.returncode == 0 and out.is_file():
            jobs.append(json.loads(out.read_text()))
        else:
            failed.append((error or "")[-1000:])
    rates = [job["training"]["tokens_per_second"] for job in jobs]
    return {
        "jobs": count, "finished": len(jobs), "failed": failed, "wall_seconds": round(wall, 2),
        "tokens_per_second_per_job": rates, "aggregate_tokens_per_second": round(sum(rates), 1),
        "seconds_per_epoch_per_job": [job["training"]["seconds_per_epoch"] for job in jobs],
        "overlap": overlap_share(jobs) if jobs else None,
        "peak_gpu_mb_per_job": [job["memory"]["peak_cuda_mb"] for job in jobs],
        "device": jobs[0]["device"] if jobs else None,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = list(sys.argv[1:] if argv is None else argv)
    own, train_args = (argv[: argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", default="1,4,8", help="job counts to run side by side, comma-separated")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(own)
    counts = [int(c) for c in args.jobs.split(",") if c.strip()]
    if not counts or min(counts) < 1 or 1 not in counts:
        raise SystemExit("--jobs needs 1 (the rate of one job alone) and counts of at least 1")
    origin = provenance(__file__, argv)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    result: dict[str, Any] = {"benchmark": "gpu_packing", "machine": machine(), "train_speed_args": train_args,
                              "load_average_start": load_average(), "runs": []}
    with tempfile.TemporaryDirectory(prefix="gpu-packing-") as tmp:
        for count in sorted(counts):
            run = run_jobs(count, train_args, Path(tmp), env)
            result["runs"].append(run)
            print(f"{count} job(s): {run['finished']} finished, aggregate {run['aggregate_tokens_per_second']} "
                  f"tokens/s, overlap {run['overlap']}, wall {run['wall_seconds']} s", flush=True)
            if args.output:  # after every count: a time limit keeps the counts done
                emit(result, args.output, echo=False, provenance_=origin)
    alone = next(r["aggregate_tokens_per_second"] for r in result["runs"] if r["jobs"] == 1)
    for run in result["runs"]:
        run["speedup_over_one_job"] = round(run["aggregate_tokens_per_second"] / alone, 3) if alone else None
    result["device"] = next((r["device"] for r in result["runs"] if r["device"]), None)
    return emit(result, args.output, echo=False, provenance_=origin)


if __name__ == "__main__":
    main()
