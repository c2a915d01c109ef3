"""Atomic writes: the target is either the old file or the complete new one."""

from __future__ import annotations

import pytest

from clinical_ner.atomic import atomic_open, atomic_write_text, remove_leftovers
from clinical_ner.data.jsonl import iter_jsonl, write_jsonl


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "sub" / "a.ann"
    atomic_write_text(target, "old\n")
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write("half of the new con")
        raise RuntimeError("crash")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.ann"]
    atomic_write_text(target, "new\r\n")
    assert target.read_bytes() == b"new\r\n"


def test_jsonl_writes_are_atomic(tmp_path):
    path = tmp_path / "rows.jsonl"
    write_jsonl(path, [{"a": 1}])

    def rows():
        yield {"a": 2}
        raise ValueError("generator failed")

    with pytest.raises(ValueError):
        write_jsonl(path, rows())
    assert list(iter_jsonl(path)) == [{"a": 1}]


def test_remove_leftovers_only_touches_temporaries_of_matching_targets(tmp_path):
    for name in (".a.ann.x1.tmp", ".b.ann.x2.tmp", ".c.jsonl.x3.tmp", "a.ann", "keep.tmp"):
        (tmp_path / name).write_text("")
    assert remove_leftovers(tmp_path, "*.ann") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [".c.jsonl.x3.tmp", "a.ann", "keep.tmp"]


def test_many_files_reach_the_disk_with_one_sync_and_a_failure_leaves_no_temporary(tmp_path, monkeypatch):
    import clinical_ner.atomic as atomic

    syncs = []
    monkeypatch.setattr(atomic.os, "sync", lambda: syncs.append(1))
    targets = {tmp_path / "out" / f"{k}.ann": f"T{k}\n" for k in range(5)}
    atomic.atomic_write_many(targets)
    assert syncs == [1] and all(path.read_text() == text for path, text in targets.items())
    (tmp_path / "out" / "0.ann").write_text("old\n")

    def failing_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic.atomic_write_many({tmp_path / "out" / "0.ann": "new\n", tmp_path / "out" / "9.ann": "x\n"})
    assert (tmp_path / "out" / "0.ann").read_text() == "old\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{k}.ann" for k in range(5)]
