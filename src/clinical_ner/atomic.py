"""Atomic file output: write a temporary file beside the target, then rename it over the target, so a
reader (or a re-run after a crash) sees either the old file or the complete new one, never half of it.
The temporary file reaches the disk before the rename: one file's by `fsync`; many files' (`atomic_write_many`)
by one `sync` for all of them (an fsync costs a few milliseconds, as much as tagging a note)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_open(path: str | Path, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """A text handle (``\\n`` newlines kept as written) whose content replaces `path` when the block ends
    without error; on error the temporary file is removed and `path` is untouched. Parent folders are
    created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_open(path, encoding) as handle:
        handle.write(text)


def atomic_write_many(texts: Mapping[Path, str], encoding: str = "utf-8") -> None:
    """Write every text to its path as `atomic_write_text` does, with one `os.sync` for all temporary files
    before the renames: each target is either untouched or complete; on error no temporary file is left
    (the targets renamed before the error stay written)."""
    temporaries: list[tuple[str, Path]] = []
    renamed = 0
    try:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temporaries.append((temporary, path))
            with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
                handle.write(text)
            os.chmod(temporary, 0o644)
        os.sync()
        for temporary, path in temporaries:
            os.replace(temporary, path)
            renamed += 1
    except BaseException:
        for temporary, _ in temporaries[renamed:]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        raise


def remove_leftovers(folder: str | Path, target_glob: str = "*") -> int:
    """Delete the temporary files that `atomic_open` left in `folder` when its process was killed (for
    targets matching `target_glob`); return how many. Only for a folder no other process is writing to."""
    removed = 0
    for path in Path(folder).glob(f".{target_glob}.*.tmp"):
        if path.is_file():
            path.unlink()
            removed += 1
    return removed
