"""Snakemake profiles: GPUs on the training jobs only, CPU everywhere else.

A dry run (no sbatch needed: Snakemake's dry run never submits) with the SLURM profile prints
every job's resources; the training rules must ask for one GPU on the GPU partition, no other rule
may. profiles/slurm-local (the CPU-only CI cluster) must mirror profiles/slurm minus the GPUs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from workflow_helpers import copy_workflow

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"
TRAINING_RULES = {"pretrain_stand_in", "train_candidate", "train_final"}
GPU_KEYS = {"gpu", "gpus", "gpu_model", "gres", "nvidia_gpu"}


def _profile(name: str) -> dict:
    return yaml.safe_load((PROFILES / name / "config.yaml").read_text())


# ------------------------------------------------------------------ static checks


def test_slurm_profile_uses_the_executor_plugin():
    slurm = _profile("slurm")
    assert slurm["executor"] == "slurm"
    assert slurm["rerun-incomplete"] is True
    assert slurm["latency-wait"] >= 30
    for key in ("slurm_partition", "runtime", "mem_mb", "cpus_per_task"):
        assert key in slurm["default-resources"], key
    for key in GPU_KEYS:
        assert key not in slurm["default-resources"], f"default-resources must not request GPUs ({key})"


def test_slurm_profile_requests_gpus_for_training_only():
    slurm = _profile("slurm")
    gpu_rules = {rule for rule, res in slurm["set-resources"].items() if GPU_KEYS & set(res)}
    assert gpu_rules == TRAINING_RULES
    for rule in TRAINING_RULES:
        res = slurm["set-resources"][rule]
        assert int(res["gpu"]) >= 1
        # the plugin manages --gres/--gpus itself and rejects them in slurm_extra
        assert not re.search(r"--(gres|gpus)\b", str(res.get("slurm_extra", "")))
        assert res["slurm_partition"] != slurm["default-resources"]["slurm_partition"]


def test_local_cluster_profile_mirrors_slurm_profile_without_gpus():
    slurm, local = _profile("slurm"), _profile("slurm-local")
    assert local["executor"] == "slurm"
    assert set(local) == set(slurm), "profiles/slurm-local and profiles/slurm must set the same options"
    assert set(local["default-resources"]) - {"slurm_account"} == set(slurm["default-resources"])
    assert set(local["set-resources"]) == set(slurm["set-resources"])
    assert set(local["set-threads"]) == set(slurm["set-threads"])
    for rule, res in local["set-resources"].items():
        assert not GPU_KEYS & set(res), f"{rule} asks for a GPU on the CPU-only test cluster"
        assert set(res) == set(slurm["set-resources"][rule]) - GPU_KEYS, rule


def test_default_profile_is_executor_neutral():
    """profiles/default is merged into `--profile profiles/slurm` runs: it must not fight them."""
    default = _profile("default")
    assert "cores" in default
    for key in ("executor", "default-resources", "set-resources", "set-threads", "jobs"):
        assert key not in default, key


# ------------------------------------------------------------------ dry runs

JOB_RE = re.compile(r"^(?:local)?rule (\w+):\n(.*?)(?=^\S|\Z)", re.M | re.S)


def _dry_run_jobs(workdir: Path, args: list[str]) -> list[tuple[str, dict[str, str]]]:
    # A dry run defaults to --cores 1, which caps every job's threads (and so cpus_per_task);
    # a real run with the SLURM executor leaves cores unset, so threads are not capped.
    cmd = [sys.executable, "-m", "snakemake", "-n", "--forceall", "--cores", "64", *args]
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    jobs = []
    for rule, body in JOB_RE.findall(out):
        match = re.search(r"^\s+resources: (.*)$", body, re.M)
        resources = dict(item.split("=", 1) for item in match.group(1).split(", ")) if match else {}
        jobs.append((rule, resources))
    assert jobs, out[-3000:]
    return jobs


def _gpus(resources: dict[str, str]) -> int:
    value = resources.get("gpu", resources.get("gpus", "0"))
    return int(value) if value.isdigit() else 0


@pytest.fixture(scope="module")
def workflow_copy(tmp_path_factory) -> Path:
    return copy_workflow(tmp_path_factory.mktemp("profiles"))


@pytest.mark.parametrize(
    "args",
    [["--workflow-profile", "profiles/slurm"], ["--profile", "profiles/slurm", "--workflow-profile", "none"]],
    ids=["workflow-profile", "profile"],
)
def test_dry_run_gpu_requests_on_training_jobs_only(workflow_copy, args):
    jobs = _dry_run_jobs(workflow_copy, args)
    gpu_partition = _profile("slurm")["set-resources"]["train_final"]["slurm_partition"]
    cpu_partition = _profile("slurm")["default-resources"]["slurm_partition"]
    seen = {rule for rule, _ in jobs}
    assert seen >= TRAINING_RULES, f"training rules missing from the DAG: {TRAINING_RULES - seen}"
    for rule, res in jobs:
        if rule == "all":
            continue
        if rule in TRAINING_RULES:
            assert _gpus(res) == 1, (rule, res)
            assert res["slurm_partition"] == gpu_partition, (rule, res)
            # cpus_per_task follows the profile's set-threads, not the submit host's cores
            assert res["cpus_per_task"] == str(_profile("slurm")["set-threads"][rule]), (rule, res)
        else:
            assert _gpus(res) == 0, (rule, res)
            assert "gpu_model" not in res and "gres" not in res, (rule, res)
            assert res["slurm_partition"] == cpu_partition, (rule, res)


def test_dry_run_local_cluster_profile_has_no_gpus(workflow_copy):
    jobs = _dry_run_jobs(workflow_copy, ["--workflow-profile", "profiles/slurm-local"])
    for rule, res in jobs:
        if rule == "all":
            continue
        assert _gpus(res) == 0, (rule, res)
        assert res["slurm_account"] == "clinicalner" and res["slurm_partition"] == "debug", (rule, res)


class _Resources(dict):
    __getattr__ = dict.__getitem__


class _FakeJob:
    def __init__(self, rule: str, resources: dict, threads: int):
        self.name = rule
        self.resources = _Resources(resources)
        self.threads = threads


@pytest.mark.parametrize("rule", sorted(TRAINING_RULES) + ["build_sentences"])
def test_sbatch_call_for_profile_resources(rule):
    """The plugin (2.8.0) turns the profile's resources into the sbatch options we expect."""
    plugin = pytest.importorskip("snakemake_executor_plugin_slurm")
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    slurm = _profile("slurm")
    resources = dict(slurm["default-resources"])
    threads = slurm.get("set-threads", {}).get(rule, 1)
    resources["cpus_per_task"] = threads  # the profile's `threads` expression, evaluated
    resources.update(slurm["set-resources"].get(rule, {}))
    job = _FakeJob(rule, resources, threads)
    params = {
        "run_uuid": "run",
        "slurm_logfile": "log",
        "comment_str": f"rule_{rule}",
        "account": "",
        "partition": f"-p {resources['slurm_partition']}",
        "workdir": "/work",
    }
    call = get_submit_command(job, params) + set_gres_string(job)
    assert f"-p {resources['slurm_partition']}" in call
    assert f"--mem {resources['mem_mb']}" in call and f"-t {resources['runtime']}" in call
    assert f"--cpus-per-task={threads}" in call
    if rule in TRAINING_RULES:
        assert "--gpus=1" in call or re.search(r"--gpus=\w+:1", call), call
    else:
        assert "--gpus" not in call and "--gres" not in call, call
    assert plugin is not None
