"""Plain data records that flow through the pipeline: entities, documents and tagged sentences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any, NamedTuple, TypeVar

Span = tuple[int, int]
T = TypeVar("T")


class SettingsRecord:
    """Mixin for flat settings dataclasses: `to_dict`, and `from_dict` that rejects unknown keys."""

    kind = "setting"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls: type[T], row: dict[str, Any]) -> T:
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(row) - known)
        if unknown:
            raise ValueError(f"unknown {cls.kind}(s): {', '.join(unknown)}; known: {sorted(known)}")  # type: ignore[attr-defined]
        return cls(**row)


class Relation(NamedTuple):
    """A binary relation between two entities (BRAT `R` line), e.g. `R1  Strength-Drug Arg1:T2 Arg2:T1`."""

    id: str
    type: str
    arg1: str
    arg2: str


@dataclass(frozen=True)
class Entity:
    """A (possibly discontinuous) text-bound annotation; `spans` are sorted [start, end) character ranges."""

    id: str
    label: str
    spans: tuple[Span, ...]
    text: str = ""

    @property
    def start(self) -> int:
        return min(s for s, _ in self.spans)

    @property
    def end(self) -> int:
        return max(e for _, e in self.spans)

    def key(self) -> tuple[str, tuple[Span, ...]]:
        """Identity for comparisons: label and spans, ignoring the annotation id."""
        return self.label, self.spans


@dataclass
class Document:
    """One BRAT document: its text and its text-bound entities (already mapped to target types)."""

    doc_id: str
    text: str
    entities: list[Entity] = field(default_factory=list)


@dataclass
class Sentence:
    """One sentence: tokens with absolute character offsets into its document, and BIO tags."""

    doc_id: str
    index: int
    tokens: list[str]
    offsets: list[Span]
    tags: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "sent": self.index,
            "tokens": self.tokens,
            "offsets": [list(o) for o in self.offsets],
            "tags": self.tags,
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Sentence:
        return cls(
            doc_id=row["doc_id"],
            index=int(row["sent"]),
            tokens=list(row["tokens"]),
            offsets=[(int(s), int(e)) for s, e in row["offsets"]],
            tags=list(row["tags"]),
        )

    @property
    def is_plain(self) -> bool:
        """True when every tag is `O` (a candidate for down-sampling)."""
        return all(tag == "O" for tag in self.tags)


def words_of(sentence: Sentence | Sequence[str]) -> list[str]:
    """The words of a sentence, given as a `Sentence` or as its tokens."""
    return list(sentence.tokens) if isinstance(sentence, Sentence) else list(sentence)
