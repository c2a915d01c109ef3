"""A letter under construction: lines of fragments with entities at offsets relative to each fragment,
rendered to text with absolute spans; sentence counts per line (data-layer sentences) for balancing the
plain fraction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from clinical_ner.data.tokenization import sentence_spans

Span = tuple[int, int]

def sentence_counts(text: str, spans: Iterable[Sequence[Span]]) -> tuple[int, int]:
    """(sentences, sentences without any entity) for `text` and the entities' span lists, with the data
    layer's sentence splitter: the sentences the pipeline will read."""
    sentences = sentence_spans(text)
    flat = sorted(s for entity in spans for s in entity)
    with_entity = 0
    for start, end in sentences:
        if any(s < end and e > start for s, e in flat):
            with_entity += 1
    return len(sentences), len(sentences) - with_entity


class Ent:
    __slots__ = ("absolute", "frag", "label", "spans")

    def __init__(self, label: str, spans: list[Span], frag: Frag) -> None:
        self.label = label
        self.spans = spans
        self.frag = frag
        self.absolute: tuple[Span, ...] = ()


class Frag:
    """A piece of one line (a sentence, or a whole line) with entities at offsets relative to it."""

    def __init__(self, text: str = "") -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.ents: list[Ent] = []
        if text:
            self.lit(text)

    def lit(self, text: str) -> Frag:
        self.parts.append(text)
        self.pos += len(text)
        return self

    def ent(self, label: str, text: str) -> Ent:
        start = self.pos
        self.lit(text)
        return self.mark(label, [(start, self.pos)])

    def mark(self, label: str, spans: list[Span]) -> Ent:
        entity = Ent(label, sorted(spans), self)
        self.ents.append(entity)
        return entity

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class LetterDraft:
    lines: list[list[Frag]] = field(default_factory=list)
    relations: list[tuple[Ent, Ent]] = field(default_factory=list)  # (attribute, drug)
    fillable: list[int] = field(default_factory=list)  # paragraph lines that accept filler sentences
    templates: set[int] = field(default_factory=set)  # medication-line templates used
    pools: dict[int, tuple[str, ...]] = field(default_factory=dict)  # filler pool per fillable line
    year: int = 2150

    def add(self, *frags: Frag | str, fillable: Sequence[str] = ()) -> int:
        self.lines.append([f if isinstance(f, Frag) else Frag(f) for f in frags])
        if fillable:
            self.fillable.append(len(self.lines) - 1)
            self.pools[len(self.lines) - 1] = tuple(fillable)
        return len(self.lines) - 1

    def blank(self) -> None:
        self.lines.append([])

    def line_counts(self, index: int) -> tuple[int, int]:
        """(entity sentences, plain sentences) of one line."""
        text, spans = render_line(self.lines[index])
        total, plain = sentence_counts(text, spans)
        return total - plain, plain


def render_line(frags: list[Frag], base: int = 0, assign: bool = False) -> tuple[str, list[list[Span]]]:
    pieces, spans, pos = [], [], base
    for i, frag in enumerate(frags):
        if i:
            pieces.append(" ")
            pos += 1
        for entity in frag.ents:
            absolute = [(pos + s, pos + e) for s, e in entity.spans]
            spans.append(absolute)
            if assign:
                entity.absolute = tuple(absolute)
        text = frag.text
        pieces.append(text)
        pos += len(text)
    return "".join(pieces), spans
