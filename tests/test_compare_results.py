"""tests/compare_results.py: the byte-for-byte comparison of two results folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from compare_results import compare

SCRIPT = Path(__file__).with_name("compare_results.py")


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def test_compare_finds_differences_and_skips_run_specific_files(tmp_path):
    common = {"tables/t.csv": b"a,b\n1,2\n", "logs/x.log": b"one", "figures/f.pdf": b"%PDF-1", "figures/f.png": b"png"}
    old = _tree(tmp_path / "old", common | {"eval/s.json": b"{}\n", "gone.txt": b"x"})
    new = _tree(tmp_path / "new", common | {"eval/s.json": b'{"a": 1}\n', "logs/x.log": b"two",
                                            "figures/f.pdf": b"%PDF-2", "benchmarks/b.tsv": b"s", "added.txt": b"y"})
    result = compare(old, new)
    assert result.identical == ["figures/f.png", "tables/t.csv"]
    assert (result.different, result.only_baseline, result.only_new) == (["eval/s.json"], ["gone.txt"], ["added.txt"])
    run = subprocess.run([sys.executable, str(SCRIPT), str(old), str(new)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "DIFFERENT eval/s.json: line 1: '{}' != '{\"a\": 1}'" in run.stdout
    same = subprocess.run([sys.executable, str(SCRIPT), str(old), str(old)], capture_output=True, text=True)
    assert same.returncode == 0 and "identical: 4 files" in same.stdout


def test_timings_are_not_compared(tmp_path):
    history = "epoch,train_loss,seconds,tokens_per_second\n1,0.5,{s},{t}\n"
    old = _tree(tmp_path / "old", {"h/history.csv": history.format(s=1.0, t=10).encode(),
                                   "h/summary.json": b'{"best": 0.5, "seconds": 3.2}'})
    new = _tree(tmp_path / "new", {"h/history.csv": history.format(s=2.5, t=4).encode(),
                                   "h/summary.json": b'{"best": 0.5, "seconds": 9.9}'})
    assert compare(old, new).same
    (new / "h" / "history.csv").write_text(history.format(s=1.0, t=10).replace("0.5", "0.6"))
    assert compare(old, new).different == ["h/history.csv"]
