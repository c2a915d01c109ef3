"""Errors raised for bad input, always naming the file (and line when there is one)."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input data: carries the offending file and, where known, the 1-based line number."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")
