"""Every file under benchmarks/results/ is the unedited output of a committed script that names itself, its
command and a commit of this repository; no committed file holds a path of the machine it was written on."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys

import pytest
from workflow_helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import record

RESULTS = ROOT / "benchmarks" / "results"
# Absolute paths that name a particular machine's folders.
HOST_PATH = re.compile(r"(?<![\w.~$-])/(?:work|root|home|Users|tmp|mnt|scratch)/[\w.-]+")
# Absolute paths the project documents as defaults on every machine.
ALLOWED = ("/tmp/clinical-ner-slurm",)


def result_files() -> list:
    if not RESULTS.is_dir():
        return []
    return sorted(p for p in RESULTS.rglob("*") if p.is_file() and not p.name.endswith(record.PROVENANCE_SUFFIX))


@pytest.mark.parametrize("path", result_files(), ids=lambda p: p.relative_to(RESULTS).as_posix())
def test_result_file_names_its_script_command_and_commit(path):
    assert record.problems(path) == []


def test_every_provenance_file_has_its_result():
    orphans = [p for p in RESULTS.rglob("*" + record.PROVENANCE_SUFFIX)
               if not p.with_name(p.name.removesuffix(record.PROVENANCE_SUFFIX)).is_file()]
    assert orphans == []


def test_an_emitted_result_passes_and_a_hand_edit_is_caught(tmp_path):
    out = tmp_path / "result.json"
    origin = record.provenance(ROOT / "benchmarks" / "train_speed.py", ["--output", str(out), "--phee", str(ROOT / "x")])
    record.emit({"score": 0.5, "where": str(ROOT.parent / "shared" / "data")}, out, echo=False, provenance_=origin)
    data = json.loads(out.read_text())
    assert record.problems(out) == []
    assert data["where"] == "../shared/data"
    assert data["provenance"]["command"] == (
        "python benchmarks/train_speed.py --output '<outside the repository>/result.json' --phee x")
    data["score"] = 0.6
    out.write_text(json.dumps(data, indent=2))
    assert any("edited by hand" in p for p in record.problems(out))


def test_an_undefined_number_is_written_as_null_so_strict_json_parsers_read_the_file(tmp_path):
    out = tmp_path / "result.json"
    origin = record.provenance(ROOT / "benchmarks" / "train_speed.py", [])
    record.emit({"crossing": [{"size": float("nan"), "gain": float("-inf"), "at": 1.5}]}, out, echo=False,
                provenance_=origin)

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    data = json.loads(out.read_text(), parse_constant=refuse)
    assert data["crossing"] == [{"size": None, "gain": None, "at": 1.5}]
    assert record.problems(out) == []


def test_a_result_without_provenance_or_with_an_unknown_commit_is_refused(tmp_path):
    bare = tmp_path / "bare.json"
    bare.write_text('{"score": 1}')
    assert record.problems(bare) == ["no provenance: not written by benchmarks/record.py"]
    out = tmp_path / "r.json"
    origin = {**record.provenance(ROOT / "benchmarks" / "train_speed.py", []), "commit": "0" * 40}
    record.emit({"score": 1}, out, echo=False, provenance_=origin)
    assert any("not in the repository" in p for p in record.problems(out))
    csv = tmp_path / "sweep.csv"
    csv.write_text("a,b\n1,2\n")
    assert "no sweep.csv.provenance.json" in record.problems(csv)[0]
    record.emit_sidecar(csv, record.provenance(ROOT / "benchmarks" / "phee_sweep.py", []))
    assert record.problems(csv) == []
    csv.write_text("a,b\n1,3\n")
    assert any("edited by hand" in p for p in record.problems(csv))


def test_tree_state_names_a_commit_of_this_repository():
    state = record.tree_state()
    assert re.fullmatch(r"[0-9a-f]{40}", state["commit"]) and isinstance(state["dirty"], bool)
    assert state["dirty"] == bool(state["dirty_paths"])
    assert not any(p.startswith("benchmarks/results/") for p in state["dirty_paths"])


def test_portable_paths():
    assert record.portable(str(ROOT / "results" / "x.json")) == "results/x.json"
    assert record.portable({"a": [str(ROOT.parent / "shared")]}) == {"a": ["../shared"]}
    assert record.portable("/elsewhere/run/results") == "<outside the repository>/results"
    assert record.portable(f"--phee={ROOT / 'data'}") == "--phee=data"
    assert record.portable("a/relative/path") == "a/relative/path"


def _committed_text_files():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, listed.stdout.split("\0")):
        path = ROOT / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" not in data[:8192]:
            yield name, data.decode("utf-8", errors="replace")


def test_no_committed_file_holds_a_host_path():
    found = []
    for name, text in _committed_text_files():
        for number, line in enumerate(text.splitlines(), 1):
            for match in HOST_PATH.finditer(line):
                if not match.group(0).startswith(ALLOWED):
                    found.append(f"{name}:{number}: {match.group(0)}")
    assert found == []


def test_the_host_path_pattern():
    root = "/"  # the examples are built, so that this file holds no host path itself
    assert HOST_PATH.search(f'"phee": "{root}work/shared/data/phee"')
    assert HOST_PATH.search(f"--run {root}tmp/phee-run/results")
    assert not HOST_PATH.search("train: data/phee/train and ../shared/data/phee and https://x.org/data/y")


def test_run_time_times_a_command_and_sums_its_jobs(tmp_path):
    import run_time

    jobs = tmp_path / "benchmarks" / "train_final" / "m"
    jobs.mkdir(parents=True)
    (jobs / "seed1.tsv").write_text("s\th:m:s\tmax_rss\tcpu_time\n2.5\t0:00:02\t300.0\t2.0\n")
    out = tmp_path / "run_time.json"
    result = run_time.main(["--jobs", str(tmp_path / "benchmarks"), "--output", str(out), "--",
                            sys.executable, "-c", "import sys; sys.exit(3)"])
    assert result["exit_status"] == 3 and result["wall_seconds"] >= 0 and result["cpu_seconds"] >= 0
    assert result["jobs"]["largest_job"] == {"job": "train_final/m/seed1", "max_rss_mb": 300.0, "seconds": 2.5}
    assert result["cpu_seconds_outside_jobs"] == pytest.approx(result["cpu_seconds"] - 2.0, abs=0.11)
    assert record.problems(out) == []
    assert json.loads(out.read_text())["provenance"]["script"] == "benchmarks/run_time.py"


@pytest.mark.slow
def test_the_documented_run_time_command_runs(tmp_path):
    """docs/benchmarks.md's run_time.py commands, with their timed snakemake commands as dry runs."""
    from test_hf_benchmarks import _env, readme_commands

    commands = [c for c in readme_commands() if "benchmarks/run_time.py" in c]
    assert len(commands) == 3
    for command in commands:
        words = shlex.split(command)
        cut = words.index("--output")
        argv = [sys.executable, *words[1:cut], "--output", str(tmp_path / "t.json"), *words[cut + 2:], "-n", "--quiet"]
        subprocess.run(argv, cwd=ROOT, env=_env(), check=True, capture_output=True, text=True, timeout=600)
        result = json.loads((tmp_path / "t.json").read_text())
        assert result["exit_status"] == 0 and result["timed_command"][0].endswith("snakemake")


def test_provenance_records_the_single_core_speed_and_the_source_line_shows_it():
    import result_blocks

    origin = record.provenance(ROOT / "benchmarks" / "train_speed.py", [])
    speed = origin["speed_check"]
    assert speed["python_million_steps_per_second"] > 0 and speed["matmul_gflops_one_thread"] > 0
    line = result_blocks.source("x.json", {"provenance": origin})
    assert f"{speed['matmul_gflops_one_thread']} GFLOP/s" in line
    assert "speed check" not in result_blocks.source("x.json", {"provenance": {**origin, "speed_check": None}})
