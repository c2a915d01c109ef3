"""What every benchmark records besides its numbers, and the one way its result file is written.

A result names the script that wrote it and the exact command, the commit, whether the working tree was
dirty (with the dirty paths and a hash of the diff), the machine, its single-core speed at the start
(`speed_check`) and the load at start and end (`provenance`). `emit` writes it with a hash of its content, so a hand edit is detected
(`content_sha256`, checked by tests/test_result_files.py). Paths inside the repository's parent folder are
written relative to the repository; other absolute paths keep their last part only: no host path in a
committed file.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import math
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = "benchmarks/results/"
PROVENANCE_SUFFIX = ".provenance.json"


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), or what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover - not Linux
        pass
    return platform.processor() or ""


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def tree_state() -> dict[str, Any]:
    """The checked-out commit (full id), whether tracked or untracked files differ from it (results of
    benchmarks excluded), those paths, and the SHA-256 of `git diff HEAD` (None when clean)."""
    head = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain") or ""
    paths = sorted({line[3:].split(" -> ")[-1] for line in status.splitlines()
                    if line[3:] and not line[3:].startswith(RESULTS)})
    diff = _git("diff", "HEAD", "--", ".", f":(exclude){RESULTS}") if paths else None
    return {
        "commit": head.strip() if head else None,
        "dirty": bool(paths),
        "dirty_paths": paths,
        "diff_sha256": hashlib.sha256(diff.encode()).hexdigest() if diff else None,
    }


def machine() -> dict[str, Any]:
    """CPU model, cores, Python/torch/transformers versions and the GPU when there is one."""
    import torch
    import transformers

    return {
        "host": platform.node(), "cpu": cpu_model(), "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(), "python": platform.python_version(), "torch": torch.__version__,
        "transformers": transformers.__version__,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def speed_check(loop_steps: int = 1_000_000, size: int = 512, products: int = 20) -> dict[str, float]:
    """This machine's single-core speed when a benchmark starts: interpreted Python (million loop steps a
    second) and a float32 matrix product on one thread (GFLOP/s). A shared or throttled virtual machine can
    be several times slower on one day than on another with the same CPU model and load, so two result
    files are compared through these numbers, not through the CPU's name alone."""
    import torch

    started = time.perf_counter()
    total = 0
    for step in range(loop_steps):
        total += step
    python_seconds = time.perf_counter() - started
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        a, b = torch.randn(size, size), torch.randn(size, size)
        a @ b
        started = time.perf_counter()
        for _ in range(products):
            a @ b
        matmul_seconds = time.perf_counter() - started
    finally:
        torch.set_num_threads(threads)
    return {
        "python_million_steps_per_second": round(loop_steps / python_seconds / 1e6, 2),
        "matmul_gflops_one_thread": round(2 * size**3 * products / matmul_seconds / 1e9, 1),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def each_leaf(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """`value` with `leaf` applied to everything that is not a dict, list or tuple (tuples become lists)."""
    if isinstance(value, dict):
        return {key: each_leaf(item, leaf) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [each_leaf(item, leaf) for item in value]
    return leaf(value)


def _portable_leaf(value: Any) -> Any:
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str) and value.startswith("/") and " " not in value:
        path = Path(value)
        if path.is_relative_to(ROOT.parent):
            return os.path.relpath(path, ROOT)
        return f"<outside the repository>/{path.name}"
    if isinstance(value, str) and value.startswith("--") and "=/" in value:
        flag, path = value.split("=", 1)
        return f"{flag}={_portable_leaf(path)}"
    return value


def _finite_leaf(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def portable(value: Any) -> Any:
    """`value` with every absolute path (strings and `Path`s, in lists and dicts too) made host-independent:
    under the repository's parent folder relative to the repository, elsewhere its last part only."""
    return each_leaf(value, _portable_leaf)


def for_json(value: Any) -> Any:
    """`portable(value)` with every NaN or infinite float as None: JSON that any parser reads."""
    return each_leaf(value, lambda leaf: _finite_leaf(_portable_leaf(leaf)))


def provenance(script: str | Path, argv: list[str] | None = None) -> dict[str, Any]:
    """Who wrote a result, taken when the benchmark starts: the script (relative to the repository), the
    command, the tree's state, the machine, the start time and load."""
    script_path = Path(script).resolve()
    name = script_path.relative_to(ROOT).as_posix() if script_path.is_relative_to(ROOT) else str(script)
    args = list(sys.argv[1:] if argv is None else argv)
    runner = ["bash"] if name.endswith(".sh") else ["python"]
    return {
        "script": name,
        "command": shlex.join([*runner, name, *portable(args)]),
        **tree_state(),
        "machine": machine(),
        "started_utc": now(),
        "load_average_start": load_average(),
        "speed_check": speed_check(),
    }


def content_sha256(result: dict[str, Any]) -> str:
    """The hash of a result without its own hash: what `emit` wrote, key for key."""
    body = copy.deepcopy(result)
    body.get("provenance", {}).pop("content_sha256", None)
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def emit(result: dict[str, Any], output: Path | None, echo: bool = True, *,
         provenance_: dict[str, Any] | None = None, script: str | Path | None = None) -> dict[str, Any]:
    """Print the result as JSON (unless `echo` is off) and write it to `output` when given, with its
    `provenance` (given, or taken now for `script`), end time and load, and content hash."""
    record = provenance_ if provenance_ is not None else provenance(script or sys.argv[0])
    record = {**record, "finished_utc": now(), "load_average_end": load_average()}
    result = for_json({key: value for key, value in result.items() if key != "provenance"})
    result["provenance"] = for_json(record)
    result["provenance"]["content_sha256"] = content_sha256(result)
    text = json.dumps(result, indent=2, default=str, allow_nan=False)
    if echo:
        print(text)
    if output is not None:
        from clinical_ner.atomic import atomic_write_text

        output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(output, text + "\n")
    return result


def sidecar(path: Path) -> Path:
    """The provenance file of a result that is not JSON (a CSV): `NAME.provenance.json` beside it."""
    return path.with_name(path.name + PROVENANCE_SUFFIX)


def emit_sidecar(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Write the provenance of the non-JSON result `path` beside it, with the SHA-256 of its bytes."""
    content = {"result": path.name, "file_sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    return emit(content, sidecar(path), echo=False, provenance_=record)


def problems(path: Path) -> list[str]:
    """Why the result file `path` (JSON, or another file with its sidecar) breaks the rules above: no
    provenance, a script that does not exist, a commit not in the repository, a content edited since."""
    found: list[str] = []
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
    elif sidecar(path).is_file():
        data = json.loads(sidecar(path).read_text(encoding="utf-8"))
        if data.get("file_sha256") != hashlib.sha256(path.read_bytes()).hexdigest():
            found.append("its content differs from the SHA-256 in its provenance file (edited by hand?)")
    else:
        return [f"not JSON and no {sidecar(path).name} beside it"]
    origin = data.get("provenance")
    if not isinstance(origin, dict):
        return found + ["no provenance: not written by benchmarks/record.py"]
    if origin.get("content_sha256") != content_sha256(data):
        found.append("its content differs from the hash emit() wrote (edited by hand?)")
    script = str(origin.get("script", ""))
    if not script.startswith("benchmarks/") or not (ROOT / script).is_file():
        found.append(f"names no script that exists in benchmarks/: {script!r}")
    elif script not in str(origin.get("command", "")).split():
        found.append(f"its command does not run its script {script}")
    commit = str(origin.get("commit") or "")
    if not re.fullmatch(r"[0-9a-f]{40}", commit) or _git("cat-file", "-e", f"{commit}^{{commit}}") is None:
        found.append(f"names a commit that is not in the repository: {commit!r}")
    if not isinstance(origin.get("dirty"), bool) or (origin["dirty"] and not origin.get("dirty_paths")):
        found.append("says nothing true about the tree being dirty")
    for key in ("machine", "load_average_start", "load_average_end", "started_utc"):
        if key not in origin:
            found.append(f"lacks {key}")
    return found
