"""JSON Lines input and output, with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from clinical_ner.atomic import atomic_open
from clinical_ner.data.records import Sentence
from clinical_ner.errors import InputError


def iter_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield one object per non-empty line."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(path, f"invalid JSON: {error.msg}", number) from None


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows one per line, atomically (creating parent folders); return how many were written."""
    count = 0
    with atomic_open(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_sentences(path: str | Path) -> list[Sentence]:
    sentences = []
    for number, row in enumerate(iter_jsonl(path), start=1):
        try:
            sentences.append(Sentence.from_dict(row))
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(path, f"not a sentence record ({error!r})", number) from None
    return sentences


def write_sentences(path: str | Path, sentences: Iterable[Sentence]) -> int:
    return write_jsonl(path, (s.to_dict() for s in sentences))
