"""Which files `clinical-ner predict` tags, and where their ``.ann`` files go.

* A folder: its ``.txt`` files; with ``recursive``, those of its subfolders too, linked folders followed (each
  real folder once). An output folder inside the input folder is never walked.
* Hidden files and folders (names starting with ``.``, e.g. editor locks and ``.ipynb_checkpoints``) and
  ``__MACOSX`` folders hold no notes: they are left out and listed (`NoteFiles.ignored`).
* One ``.txt`` file: that note alone.

``{root}/a/b/note.txt`` gives ``{output}/a/b/note.ann``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from clinical_ner.errors import InputError

NOT_NOTE_FOLDERS = frozenset({"__MACOSX"})


@dataclass(frozen=True)
class NoteFiles:
    root: Path
    paths: list[Path]
    ignored: list[str] = field(default_factory=list)

    def ann_path(self, note: Path, output_dir: Path) -> Path:
        """Where the ``.ann`` of `note` goes: its path under `root`, moved under `output_dir`."""
        return output_dir / note.relative_to(self.root).with_suffix(".ann")


def _hidden(name: str) -> bool:
    return name.startswith(".") or name in NOT_NOTE_FOLDERS


def _walk(folder: Path, recursive: bool, skip: str) -> tuple[list[Path], list[str]]:
    """(the ``.txt`` paths, the hidden entries left out, relative to `folder`), never entering the real
    folder `skip`."""
    paths: list[Path] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for current, dirs, files in os.walk(folder, followlinks=True):
        here = Path(current)
        real = os.path.realpath(current)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        kept = []
        for name in sorted(dirs) if recursive else []:
            if _hidden(name):
                ignored.append((here / name).relative_to(folder).as_posix() + "/")
            elif os.path.realpath(here / name) != skip:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if not name.endswith(".txt"):
                continue
            if _hidden(name):
                ignored.append((here / name).relative_to(folder).as_posix())
            else:
                paths.append(here / name)
    return sorted(paths), ignored


def find_notes(input_path: Path, recursive: bool, output_dir: Path) -> NoteFiles:
    """The notes to tag (module doc). None is an error naming the input, and, when not `recursive`, how many
    notes its subfolders hold."""
    if input_path.is_file():
        if input_path.suffix != ".txt":
            raise InputError(input_path, "not a .txt note: give a folder of .txt notes or one .txt file")
        return NoteFiles(input_path.parent, [input_path])
    if not input_path.is_dir():
        raise InputError(input_path, "input folder (or .txt note) not found")
    skip = os.path.realpath(output_dir)
    paths, ignored = _walk(input_path, recursive, skip)
    if not paths:
        nested = 0 if recursive else len(_walk(input_path, True, skip)[0])
        hint = f" ({nested} in its subfolders: tag them with --recursive)" if nested else ""
        raise InputError(input_path, f"no .txt notes in folder{hint}")
    return NoteFiles(input_path, paths, ignored)
