"""A training job killed mid-run (SIGKILL, as a SLURM time limit or an OOM kill does) resumes from its
checkpoint on `snakemake --rerun-incomplete` and ends exactly where an uninterrupted run ends."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml
from safetensors.torch import load_file
from workflow_helpers import copy_workflow, snakemake

pytestmark = pytest.mark.slow

TARGET = "results/models/scratch-crf/full/search/hp0"
CHECKPOINT = "results/checkpoints/train_candidate/scratch-crf/full/hp0/checkpoint.pt"
LOG = "results/logs/train_candidate/scratch-crf/full/hp0.log"
TINY = {
    "corpus": {"synthetic": {"train_docs": 24, "test_docs": 2, "seed": 5}},
    "training": {
        "settings": {"epochs": 4, "patience": 4, "batch_size": 8, "learning_rate": 0.002},
        "search": {"learning_rate": [0.002]},
    },
}
STABLE = ("epoch", "train_loss", "val_loss", "val_macro_f1", "learning_rate")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kill_training_after_first_epoch(workdir: Path, timeout: float = 900) -> None:
    """Run the job; SIGKILL its training process once a checkpoint exists and the job is still running."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONHASHSEED="0",
               PYTHONPATH=os.pathsep.join(filter(None, [str(workdir / "src"), os.environ.get("PYTHONPATH")])))
    command = [sys.executable, "-m", "snakemake", TARGET, "--cores", "1", "--configfile", "tiny.yaml"]
    proc = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    killed = False
    while proc.poll() is None and time.monotonic() < deadline:
        if (workdir / CHECKPOINT).is_file():
            jobs = [pid for pid in descendants(proc.pid) if "train_candidate" in cmdline(pid)]
            for pid in jobs:
                os.kill(pid, signal.SIGKILL)
            killed = bool(jobs)
            break
        time.sleep(0.05)
    output, _ = proc.communicate(timeout=120)
    assert killed, "the training job ended before it could be killed:\n" + output[-3000:]
    assert proc.returncode != 0, output[-3000:]


def final_state(folder: Path) -> tuple[dict[str, torch.Tensor], list[list[str]]]:
    weights = dict(load_file(folder / "encoder" / "model.safetensors"))
    weights.update({f"head.{k}": v for k, v in torch.load(folder / "head.pt", weights_only=True).items()})
    with open(folder / "history.csv", newline="") as handle:
        history = [[row[k] for k in STABLE] for row in csv.DictReader(handle)]
    return weights, history


def test_killed_training_job_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "wf")
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    whole = snakemake(workdir, TARGET, "--cores", "1", "--configfile", "tiny.yaml")
    assert whole.returncode == 0, whole.stderr[-5000:]
    assert not (workdir / CHECKPOINT).exists() and not (workdir / CHECKPOINT).parent.exists()
    expected = final_state(workdir / TARGET)
    assert len(expected[1]) == 4
    log = (workdir / LOG).read_text()
    assert "epoch 4/4" in log and "tokens/s" in log

    (workdir / TARGET).rename(tmp_path / "uninterrupted")
    kill_training_after_first_epoch(workdir)
    assert (workdir / CHECKPOINT).is_file()  # the scratch checkpoint survives the failed job
    assert not (workdir / TARGET / "summary.json").exists()

    rerun = snakemake(workdir, TARGET, "--cores", "1", "--configfile", "tiny.yaml", "--rerun-incomplete")
    assert rerun.returncode == 0, rerun.stderr[-5000:]
    assert "resumed from checkpoint" in (workdir / LOG).read_text()
    assert not (workdir / CHECKPOINT).exists()
    weights, history = final_state(workdir / TARGET)
    assert history == expected[1]
    assert weights.keys() == expected[0].keys()
    assert all(torch.equal(weights[k], expected[0][k]) for k in weights)
