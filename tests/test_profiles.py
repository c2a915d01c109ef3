"""Snakemake profiles: the config sizes every job, the profile maps jobs to the site.

One source of truth for resources: the workflow config (`resources:`, per encoder) gives threads,
memory, runtime and GPUs; profiles/slurm gives the executor, retries and the site's partitions
(partitions.yaml), from which the SLURM plugin picks each job's partition. A dry run (no sbatch:
Snakemake's dry run never submits) prints every job's resources; the plugin's own functions turn them
into the sbatch arguments, which are checked per rule: with a GPU config (config/paper.yaml) the jobs
that run an encoder get one GPU on the GPU partition and nothing else does; with the CPU default no job
asks for a GPU. profiles/slurm-local (the CPU-only CI cluster) must mirror profiles/slurm.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from workflow_helpers import copy_workflow

from clinical_ner.config import GROWS_WITH_ATTEMPT, job_resource, validate_config

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"
ENCODER_RULES = {"pretrain_stand_in", "adapt_encoder", "train_candidate", "train_final", "predict_test"}
BUILT_ENCODER_RULES = {"pretrain_stand_in", "adapt_encoder"}  # only where the config has such encoders
GPU_KEYS = {"gpu", "gpus", "gpu_model", "gres", "nvidia_gpu"}
SIZE_KEYS = {"mem_mb", "runtime", "threads", "cpus_per_task", *GPU_KEYS}


def _profile(name: str) -> dict:
    return yaml.safe_load((PROFILES / name / "config.yaml").read_text())


# ------------------------------------------------------------------ static checks


def test_slurm_profile_holds_site_settings_not_sizes():
    slurm = _profile("slurm")
    assert slurm["executor"] == "slurm"
    assert slurm["rerun-incomplete"] is True and slurm["slurm-requeue"] is True
    assert slurm["latency-wait"] >= 30
    assert slurm["retries"] >= 1, "failed jobs (OOM, time limit, node failure) must be re-submitted"
    assert "set-resources" not in slurm and "set-threads" not in slurm, "job sizes belong in the config"
    assert set(slurm["default-resources"]) <= {"cpus_per_task", "slurm_account"}
    partitions = yaml.safe_load((PROFILES / "slurm" / slurm["slurm-partition-config"]).read_text())["partitions"]
    assert any(p.get("max_gpu", 0) > 0 for p in partitions.values())
    assert any(p.get("max_gpu", 0) == 0 for p in partitions.values())


def test_local_cluster_profile_mirrors_slurm_profile():
    slurm, local = _profile("slurm"), _profile("slurm-local")
    assert local["executor"] == "slurm"
    # the CI cluster has one partition, named directly, and must show failures instead of retrying them
    assert set(local) == set(slurm) - {"slurm-partition-config"}
    assert local["retries"] == 0
    assert local["default-resources"] == {"slurm_partition": "debug", "slurm_account": "clinicalner",
                                          "cpus_per_task": "threads"}


def test_default_profile_is_executor_neutral():
    """profiles/default is merged into `--profile profiles/slurm` runs: it must not fight them."""
    default = _profile("default")
    assert "cores" in default
    for key in ("executor", "default-resources", "set-resources", "set-threads", "jobs"):
        assert key not in default, key


@pytest.mark.parametrize("name", ["default", "slurm", "slurm-local"])
def test_profiles_limit_the_job_rate_over_a_few_seconds(name):
    """The scheduler re-runs once per rate-limit timespan per finished job (profiles/default/config.yaml):
    1 s (Snakemake's default) spends minutes of the 2 cores on scheduling; much longer delays each run's
    exit, which waits for the last timer. The rate itself stays Snakemake's default, 100 jobs a second."""
    from snakemake.settings.types import MaxJobsPerTimespan

    limit = MaxJobsPerTimespan.parse_choice(_profile(name)["max-jobs-per-timespan"])
    assert 2 <= limit.timespan <= 5
    assert limit.max_jobs / limit.timespan == 100


def test_memory_and_runtime_grow_with_the_attempt():
    config = validate_config(yaml.safe_load((ROOT / "config" / "paper.yaml").read_text())
                             | {"corpus": {"source": "synthetic"}})
    for encoder in (None, "bert"):
        for name in ("mem_mb", "runtime", "threads", "gpu" if encoder else "threads"):
            first = job_resource(config, name, encoder, attempt=1)
            third = job_resource(config, name, encoder, attempt=3)
            assert third == (3 * first if name in GROWS_WITH_ATTEMPT else first), (encoder, name)
    assert job_resource(config, "mem_mb", "bert") == config["resources"]["train"]["mem_mb"]


def test_every_rule_takes_its_sizes_from_the_config_helpers():
    """So no rule escapes the attempt scaling or sets a size the config cannot change."""
    for path in sorted((ROOT / "rules").glob("*.smk")):
        for rule, body in re.findall(r"^rule (\w+):\n((?:    .*\n|\n)*)", path.read_text(), re.M):
            if rule == "all":
                continue
            resources = re.search(r"    resources:\n((?:        .*\n)+)", body)
            assert resources, f"{rule} declares no resources"
            names = dict(re.findall(r"(\w+)=(\w+)\(", resources.group(1)))
            assert set(names) >= {"mem_mb", "runtime"}, rule
            assert set(names.values()) <= {"default_resource", "train_resource"}, (rule, names)


# ------------------------------------------------------------------ dry runs -> sbatch arguments

JOB_RE = re.compile(r"^(?:local)?rule (\w+):\n(.*?)(?=^\S|\Z)", re.M | re.S)


class _Resources(dict):
    __getattr__ = dict.__getitem__


class _Job:
    """What the SLURM plugin reads of a job: its name, threads and resources."""

    def __init__(self, rule: str, resources: dict, threads: int):
        self.name = rule
        self.resources = _Resources(resources)
        self.threads = threads

    def __str__(self) -> str:
        return self.name


def _value(text: str):
    return int(text) if text.isdigit() else text


def _dry_run_jobs(workdir: Path, args: list[str]) -> list[_Job]:
    # A dry run defaults to --cores 1, which caps every job's threads (and so cpus_per_task);
    # a real run with the SLURM executor leaves cores unset, so threads are not capped.
    cmd = [sys.executable, "-m", "snakemake", "-n", "--forceall", "--cores", "64", *args]
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    jobs = []
    for rule, body in JOB_RE.findall(out):
        if rule == "all":
            continue
        threads = re.search(r"^\s+threads: (\d+)$", body, re.M)
        resources = re.search(r"^\s+resources: (.*)$", body, re.M)
        assert resources, (rule, body)
        values = {k: _value(v) for k, v in (item.split("=", 1) for item in resources.group(1).split(", "))}
        jobs.append(_Job(rule, values, int(threads.group(1)) if threads else 1))
    assert jobs, out[-3000:]
    return jobs


def sbatch_call(job: _Job, profile: str = "slurm") -> str:
    """The sbatch command line the plugin (2.8.0) builds for a job, partition chosen as it would."""
    plugin = pytest.importorskip("snakemake_executor_plugin_slurm")
    from snakemake_executor_plugin_slurm.partitions import get_best_partition, read_partition_file
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    settings = _profile(profile)
    partition = job.resources.get("slurm_partition")
    if partition is None:
        partitions = read_partition_file(PROFILES / profile / settings["slurm-partition-config"])
        partition = get_best_partition(partitions, job, logging.getLogger("test"))
    params = {"run_uuid": "run", "slurm_logfile": "log", "comment_str": f"rule_{job.name}", "account": "",
              "partition": f"-p {partition}" if partition else "", "workdir": "/work"}
    assert plugin is not None
    return get_submit_command(job, params) + set_gres_string(job)


@pytest.fixture(scope="module")
def paper_workflow(tmp_path_factory) -> Path:
    """A copy of the workflow run with config/paper.yaml searched, not pinned, so that every training rule
    runs (its BRAT folders exist, empty: a dry run reads nothing)."""
    workdir = copy_workflow(tmp_path_factory.mktemp("paper"))
    paper = yaml.safe_load((workdir / "config" / "paper.yaml").read_text())
    paper["training"]["pinned"] = {}
    (workdir / "config.yaml").write_text(yaml.safe_dump(paper, sort_keys=False))
    for part in ("train", "test"):
        (workdir / yaml.safe_load((workdir / "config.yaml").read_text())["corpus"][part]).mkdir(parents=True)
    return workdir


@pytest.fixture(scope="module")
def default_workflow(tmp_path_factory) -> Path:
    return copy_workflow(tmp_path_factory.mktemp("default"))


def _gpus(call: str) -> int:
    match = re.search(r"--gpus=(?:\w+:)?(\d+)", call)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize(
    "args",
    [["--workflow-profile", "profiles/slurm"], ["--profile", "profiles/slurm", "--workflow-profile", "none"]],
    ids=["workflow-profile", "profile"],
)
def test_gpu_config_sends_encoder_jobs_to_the_gpu_partition(paper_workflow, args):
    config = yaml.safe_load((paper_workflow / "config.yaml").read_text())
    train = config["resources"]["train"]
    jobs = _dry_run_jobs(paper_workflow, args)
    seen = {job.name for job in jobs}
    assert seen >= ENCODER_RULES - BUILT_ENCODER_RULES, seen  # the paper config builds no encoder
    for job in jobs:
        call = sbatch_call(job)
        if job.name in ENCODER_RULES:
            assert _gpus(call) == train["gpu"] == 1, (job.name, call)
            assert " -p gpu" in call, (job.name, call)
            assert f"--mem {train['mem_mb']}" in call and f"-t {train['runtime']}" in call, call
            assert f"--cpus-per-task={train['threads']}" in call, call
        else:
            assert _gpus(call) == 0 and "--gres" not in call, (job.name, call)
            assert " -p cpu" in call, (job.name, call)
            assert f"--mem {config['resources']['default']['mem_mb']}" in call, call


def test_cpu_config_asks_no_gpu_anywhere(default_workflow):
    jobs = _dry_run_jobs(default_workflow, ["--workflow-profile", "profiles/slurm"])
    assert {job.name for job in jobs} >= ENCODER_RULES - {"pretrain_stand_in"}
    for job in jobs:
        call = sbatch_call(job)
        assert _gpus(call) == 0 and " -p cpu" in call, (job.name, call)


def test_local_cluster_profile_runs_everything_on_its_partition(default_workflow):
    jobs = _dry_run_jobs(default_workflow, ["--workflow-profile", "profiles/slurm-local"])
    for job in jobs:
        assert job.resources["slurm_account"] == "clinicalner", (job.name, job.resources)
        call = sbatch_call(job, "slurm-local")
        assert _gpus(call) == 0 and " -p debug" in call, (job.name, call)
