"""The pipeline on a real SLURM cluster (tests/slurm/up.sh) gives the same outputs as a local run.

Runs the whole default DAG with the SLURM executor plugin (profiles/slurm-local) in a copy of the
workflow, then checks that every job really went through sbatch (executor log,
.snakemake/slurm_logs/, sacct) and that the deterministic outputs are byte-identical to the
session's local run of the same DAG (profiles/default, shared with test_workflow.py).

CLINICAL_NER_SLURM_TARGETS overrides the target: a space-separated list of targets (then run
locally too, for the comparison), or `reduced`: results/data/report.json plus the chain of the
first model with a hyper-parameter search (corpus, data, search candidates, selection, final
training, prediction, evaluation), compared with the same files of the session's local run of the
whole DAG (the same config, so the same bytes; CI runs this).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from workflow_helpers import copy_workflow

from clinical_ner.config import model_names, pinned_settings, validate_config
from clinical_ner.plan import runs as runs_plan

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

DEFAULT_SLURM_CONF = Path(os.environ.get("SLURM_STATE", "/tmp/clinical-ner-slurm")) / "etc" / "slurm.conf"
ACCOUNT = os.environ.get("SLURM_ACCOUNT", "clinicalner")
PARTITION = os.environ.get("SLURM_PARTITION", "debug")
RUN_TIMEOUT = int(os.environ.get("CLINICAL_NER_SLURM_TIMEOUT", "1800"))
# Outputs that must not depend on where a job ran (no timings, paths or timestamps).
COMPARED_PREFIXES = ("results/data/", "results/eval/", "results/predictions/", "results/tables/")
COMPARED_SUFFIXES = (".jsonl", ".json", ".csv", ".md", ".tex", ".ann")
SUBMITTED_RE = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+) \(log: (.+?)\)\.")


def _run(cmd: list[str], env: dict[str, str], timeout: int = 60, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, **kwargs)


def _skip(reason: str):
    """Skip, unless the CI brought a cluster up (tests/slurm/ci.sh): then a missing cluster is a failure."""
    if os.environ.get("CLINICAL_NER_REQUIRE_SLURM") == "1":
        pytest.fail(f"SLURM cluster required (CLINICAL_NER_REQUIRE_SLURM=1) but: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def slurm_env() -> dict[str, str]:
    """Environment for talking to the test cluster; skips when there is none."""
    if shutil.which("sinfo") is None or shutil.which("sbatch") is None:
        _skip("SLURM client tools (sinfo/sbatch) not installed: run `bash tests/slurm/up.sh` (as root)")
    conf = os.environ.get("SLURM_CONF") or (str(DEFAULT_SLURM_CONF) if DEFAULT_SLURM_CONF.is_file() else "")
    if not conf or not Path(conf).is_file():
        _skip("SLURM_CONF unset and no test cluster at /tmp/clinical-ner-slurm: run `bash tests/slurm/up.sh`")
    env = dict(os.environ)
    env["SLURM_CONF"] = conf
    # jobs run `python -m snakemake` from this interpreter; the shell needs the venv's tools too
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for var in [v for v in env if v.startswith(("SLURM_", "SBATCH_", "SRUN_")) and v != "SLURM_CONF"]:
        env.pop(var)  # not from inside another allocation
    try:
        states = _run(["sinfo", "-h", "-p", PARTITION, "-o", "%T"], env, timeout=30)
    except subprocess.TimeoutExpired:
        _skip(f"sinfo timed out with SLURM_CONF={conf}: is the cluster up?")
    usable = {"idle", "mixed", "allocated", "completing"}
    if states.returncode != 0 or not usable & {s.strip().rstrip("*") for s in states.stdout.split()}:
        _skip(f"no usable node in partition {PARTITION!r} (SLURM_CONF={conf}): {states.stdout}{states.stderr}")
    accounts = _run(["sacctmgr", "-n", "-P", "list", "account", "format=account"], env, timeout=30)
    if accounts.returncode != 0:
        pytest.fail(f"the cluster has no working accounting (sacctmgr): {accounts.stderr}")
    if ACCOUNT not in accounts.stdout.split():
        pytest.fail(f"account {ACCOUNT!r} missing on the test cluster (tests/slurm/up.sh creates it)")
    return env


def _targets(workdir: Path) -> list[str]:
    """The whole DAG (`all`) unless CLINICAL_NER_SLURM_TARGETS names targets; `reduced` is data plus
    the chain of the first model with a search (corpus, data, search candidates, selection, final
    training, prediction, evaluation)."""
    override = os.environ.get("CLINICAL_NER_SLURM_TARGETS", "all").split()
    if override != ["reduced"]:
        return override
    config = validate_config(yaml.safe_load((workdir / "config.yaml").read_text()))
    model = next(m for m in model_names(config) if pinned_settings(config, m) is None)
    seed = runs_plan.model_seeds(config, model)[0]
    return ["results/data/report.json",
            f"results/eval/{model}/{runs_plan.regimes(config)[0]}/f1/seed{seed}/summary.json"]


def _local_is_whole_dag(targets: list[str]) -> bool:
    """The session's local run of the whole DAG is the reference for `all` and for `reduced` (it holds
    the reduced targets' files: same config, same bytes); other targets are run locally on their own."""
    return targets == ["all"] or os.environ.get("CLINICAL_NER_SLURM_TARGETS") == "reduced"


def _snakemake(workdir: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", *args]
    try:
        proc = _run(cmd, env, timeout=RUN_TIMEOUT, cwd=workdir)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{' '.join(cmd)} timed out after {RUN_TIMEOUT}s:\n{(exc.stderr or '')[-4000:]}")
    (workdir / "snakemake.out").write_text(proc.stdout + proc.stderr)
    return proc


def _digests(workdir: Path) -> dict[str, str]:
    out = {}
    for path in sorted((workdir / "results").rglob("*")):
        rel = path.relative_to(workdir).as_posix()
        if path.is_file() and rel.startswith(COMPARED_PREFIXES) and rel.endswith(COMPARED_SUFFIXES):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def runs(slurm_env, tmp_path_factory, request):
    """(local workdir, slurm workdir, targets, slurm run output) after both runs succeeded.

    For the whole DAG the local reference is the session's default run (shared with test_workflow.py)."""
    base = tmp_path_factory.mktemp("slurm-vs-local")
    cluster = copy_workflow(base / "slurm")
    targets = _targets(cluster)
    if _local_is_whole_dag(targets):
        local = request.getfixturevalue("default_dag")
    else:
        local = copy_workflow(base / "local")
        local_env = {k: v for k, v in slurm_env.items() if k != "SLURM_CONF"}
        proc = _snakemake(local, ["--workflow-profile", "profiles/default", "--cores", "2", *targets], local_env)
        assert proc.returncode == 0, f"local run failed:\n{(proc.stdout + proc.stderr)[-6000:]}"

    proc = _snakemake(cluster, ["--workflow-profile", "profiles/slurm-local", *targets], slurm_env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"SLURM run failed:\n{output[-6000:]}\n{_slurm_log_tails(cluster)}"
    return local, cluster, targets, output


def _slurm_log_tails(workdir: Path) -> str:
    logs = sorted((workdir / ".snakemake" / "slurm_logs").rglob("*.log"))
    return "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-1500:]}" for p in logs[-5:])


def test_every_job_went_through_sbatch(runs, slurm_env):
    _, cluster, _, output = runs
    submitted = SUBMITTED_RE.findall(output)
    assert submitted, f"no SLURM submissions in the executor's output:\n{output[-4000:]}"
    # each job ran on SLURM: Snakemake jobs and SLURM job ids are one to one
    assert len({sm for sm, _, _ in submitted}) == len(submitted)
    slurm_ids = [sid for _, sid, _ in submitted]
    assert len(set(slurm_ids)) == len(slurm_ids)
    # local rules (only `all`, if targeted) are the only jobs that may not be submitted
    finished = re.findall(r"Finished jobid: (\d+) \(Rule: (\w+)\)", output)
    not_submitted = {rule for jobid, rule in finished if jobid not in {sm for sm, _, _ in submitted}}
    assert not_submitted <= {"all"}, f"jobs finished without SLURM: {not_submitted}"

    # the executor's per-job logs: .snakemake/slurm_logs/rule_<rule>/[<wildcards>/]<slurm id>.log
    logdir = cluster / ".snakemake" / "slurm_logs"
    for _, sid, log in submitted:
        path = Path(log)
        assert path.is_file(), f"missing SLURM log {path}"
        assert logdir in path.parents and path.name == f"{sid}.log"

    # the accounting database saw every job complete, under the profile's account and partition
    acct = _run(
        ["sacct", "-X", "-n", "-P", "-j", ",".join(slurm_ids), "--format=JobIdRaw,State,Account,Partition,ExitCode"],
        slurm_env,
    )
    assert acct.returncode == 0, acct.stderr
    rows = {line.split("|")[0]: line.split("|")[1:] for line in acct.stdout.splitlines() if line.strip()}
    assert set(rows) == set(slurm_ids), f"sacct does not know all jobs: {acct.stdout}"
    for sid, (state, account, partition, exit_code) in rows.items():
        assert (state, account, partition, exit_code) == ("COMPLETED", ACCOUNT, PARTITION, "0:0"), (sid, rows[sid])


def test_training_ran_on_slurm(runs):
    """The reduced target includes the search and the training rules (GPU rules on a real cluster)."""
    _, cluster, targets, _ = runs
    rules = {p.name.removeprefix("rule_") for p in (cluster / ".snakemake" / "slurm_logs").iterdir()}
    if any(t.startswith("results/data/") for t in targets) and len(targets) == 1:
        pytest.skip("target override without training")
    if os.environ.get("CLINICAL_NER_SLURM_TARGETS") == "reduced":
        assert {"train_candidate", "select_hyperparameters", "train_final", "predict_test"} <= rules, rules
    assert {"adapt_encoder", "train_candidate", "train_final"} & rules, rules


def test_outputs_identical_to_local_run(runs):
    local, cluster, targets, _ = runs
    for target in targets if targets != ["all"] else []:
        assert (cluster / target).exists(), target
    local_digests = _digests(local)
    cluster_digests = _digests(cluster)
    assert any(p.startswith("results/data/") and p.endswith(".jsonl") for p in local_digests)
    assert "results/data/report.json" in local_digests
    if targets == ["all"] or not _local_is_whole_dag(targets):  # the same targets ran in both
        assert sorted(cluster_digests) == sorted(local_digests)
    else:  # the reduced targets against the session's whole local DAG
        assert "results/data/report.json" in cluster_digests
        assert any(p.startswith("results/eval/") for p in cluster_digests), sorted(cluster_digests)
        assert set(cluster_digests) <= set(local_digests), sorted(set(cluster_digests) - set(local_digests))
    differing = [p for p in cluster_digests if local_digests[p] != cluster_digests[p]]
    assert not differing, f"outputs differ between the local and the SLURM run: {differing}"
