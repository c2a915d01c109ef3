"""Where a writer puts its files: a stem (`x` -> `x.png`, `x.pdf`) or the files a rule declared."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

Target = str | Path | Sequence[str | Path]
"""A stem, or the output files themselves (one per suffix, any order)."""


def output_paths(target: Target, suffixes: Sequence[str]) -> dict[str, Path]:
    """Suffix -> path: `stem + suffix` for a stem, else each given file by its suffix (all must be there).

    >>> output_paths("out/fig", [".png", ".pdf"])[".pdf"]
    PosixPath('out/fig.pdf')
    """
    if isinstance(target, (str, Path)):
        stem = Path(target)
        paths = {suffix: stem.with_name(stem.name + suffix) for suffix in suffixes}
    else:
        paths = {Path(path).suffix: Path(path) for path in target}
        if sorted(paths) != sorted(suffixes) or len(target) != len(suffixes):
            raise ValueError(f"expected one file for each of {list(suffixes)}, got {[str(p) for p in target]}")
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    return {suffix: paths[suffix] for suffix in suffixes}
