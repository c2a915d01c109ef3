"""BRAT standoff input and output: `.txt` documents with `.ann` text-bound annotations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from clinical_ner.atomic import atomic_write_text
from clinical_ner.data.records import Document, Entity, Relation, Span
from clinical_ner.data.report import CorpusReport
from clinical_ner.errors import InputError
from clinical_ner.labels import map_label

SKIPPED_KINDS: dict[str, str] = {
    "A": "attribute", "M": "attribute", "R": "relation", "E": "event",
    "N": "normalization", "*": "equivalence", "#": "note",
}


def collapse_whitespace(text: str) -> str:
    """Whitespace runs to one space, ends stripped (how BRAT writes a span's text field)."""
    return " ".join(text.split())


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(path, f"not valid UTF-8 (byte {error.start}: {error.reason})", line) from None


def read_text(path: str | Path) -> str:
    """The raw document text, newlines untranslated so offsets are exact characters."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "text file not found")
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError:
        return _decode(path, path.read_bytes())


def _parse_spans(field: str, text_length: int, path: Path, number: int) -> list[Span]:
    spans = []
    for fragment in field.split(";"):
        parts = fragment.split()
        if len(parts) != 2:
            raise InputError(path, f"bad fragment {fragment!r}: expected 'start end'", number)
        try:
            start, end = int(parts[0]), int(parts[1])
        except ValueError:
            raise InputError(path, f"non-integer offset in {fragment!r}", number) from None
        if not 0 <= start < end <= text_length:
            raise InputError(
                path, f"bad offsets {start} {end}: need 0 <= start < end <= {text_length} (text length)", number
            )
        spans.append((start, end))
    return spans


def _parse_textbound(line: str, text: str, path: Path, number: int) -> tuple[str, str, list[Span]]:
    fields = line.split("\t", 2)
    if len(fields) < 3:
        raise InputError(path, "text-bound line needs 3 tab-separated fields: id, 'Type start end', text", number)
    ann_id, type_and_spans, quoted = fields
    type_and_spans = type_and_spans.strip()
    if " " not in type_and_spans:
        raise InputError(path, f"missing offsets after type in {type_and_spans!r}", number)
    source_type, span_field = type_and_spans.split(" ", 1)
    spans = _parse_spans(span_field, len(text), path, number)
    annotated = " ".join(text[s:e] for s, e in spans)
    if collapse_whitespace(annotated) != collapse_whitespace(quoted):
        message = f"text mismatch for {ann_id}: offsets give {annotated!r}, file says {quoted!r}"
        raise InputError(path, message, number)
    return ann_id, source_type, spans


def read_annotations(
    ann_path: str | Path, text: str, label_map: Mapping[str, str] | None, report: CorpusReport
) -> list[Entity]:
    """Text-bound entities of one `.ann` file (mapped to target types); other lines counted and skipped."""
    ann_path = Path(ann_path)
    content = _decode(ann_path, ann_path.read_bytes())
    entities: list[Entity] = []
    seen: set[str] = set()
    for number, line in enumerate(content.split("\n"), start=1):
        line = line.rstrip()
        if not line:
            continue
        kind = line[0]
        if kind in SKIPPED_KINDS:
            report.skipped_lines[SKIPPED_KINDS[kind]] += 1
            continue
        if kind != "T":
            ann_id = line.split("\t", 1)[0]
            report.skipped_lines["unknown"] += 1
            report.warn(ann_path, number, f"unknown annotation line type {ann_id!r}; skipped")
            continue
        ann_id, source_type, spans = _parse_textbound(line, text, ann_path, number)
        if ann_id in seen:
            raise InputError(ann_path, f"duplicate annotation id {ann_id}", number)
        seen.add(ann_id)
        report.entities_read += 1
        report.read_by_type[source_type] += 1
        target = map_label(source_type, label_map)
        if target is None:
            report.drop("unmapped_type", source_type)
            continue
        report.entities_mapped += 1
        ordered = tuple(sorted(spans))
        entities.append(Entity(ann_id, target, ordered, " ".join(text[s:e] for s, e in ordered)))
    return entities


def read_document(
    txt_path: str | Path,
    ann_path: str | Path | None,
    label_map: Mapping[str, str] | None,
    report: CorpusReport,
) -> Document:
    """One document; a missing `.ann` is a counted warning (no entities), a missing `.txt` an error."""
    txt_path = Path(txt_path)
    text = read_text(txt_path)
    report.documents += 1
    if not text:
        report.empty_documents += 1
        report.warn(txt_path, None, "empty text file")
    if ann_path is None or not Path(ann_path).is_file():
        report.documents_without_ann += 1
        report.warn(ann_path or txt_path.with_suffix(".ann"), None, "annotation file not found; no entities")
        return Document(txt_path.stem, text, [])
    return Document(txt_path.stem, text, read_annotations(ann_path, text, label_map, report))


def read_corpus(folder: str | Path, label_map: Mapping[str, str] | None, report: CorpusReport) -> list[Document]:
    """Every `.txt`/`.ann` pair in `folder` (not recursive), sorted by doc id (the file stem)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "corpus folder not found")
    texts = {p.stem: p for p in folder.glob("*.txt") if p.is_file()}
    anns = {p.stem: p for p in folder.glob("*.ann") if p.is_file()}
    orphans = sorted(set(anns) - set(texts))
    if orphans:
        raise InputError(anns[orphans[0]], f"no matching .txt file ({len(orphans)} .ann file(s) without text)")
    if not texts:
        raise InputError(folder, "no documents (.txt files) in folder")
    read_before, mapped_before, seen_before = report.entities_read, report.entities_mapped, Counter(report.read_by_type)
    documents = [read_document(texts[stem], anns.get(stem), label_map, report) for stem in sorted(texts)]
    if label_map and report.entities_read > read_before and report.entities_mapped == mapped_before:
        seen = sorted(report.read_by_type - seen_before)
        raise InputError(folder, f"the label map matches no annotation: its keys {sorted(label_map)} never occur; "
                                 f"the annotation types here are {seen} (corpus/label_map)")
    return documents


def _has_space(value: str) -> bool:
    return not value or any(c.isspace() for c in value)


def format_ann(
    entities: Iterable[Entity], notes: Mapping[str, str] | None = None, relations: Iterable[Relation] = ()
) -> str:
    """Standard BRAT text-bound lines (`T1\\tType s e;s e\\ttext`), one per entity, then relation lines
    (`R1\\tType Arg1:T2 Arg2:T1`), each newline-terminated.

    `entity.text` must be the document's text of the spans (joined by a space), as the reader and
    `bio.decode_tags` produce it; it is written with whitespace collapsed, as BRAT does. `notes` maps an
    entity id to a one-line comment, written after its entity as a BRAT note (`#1\\tAnnotatorNotes T1\\t...`),
    which BRAT shows with the entity and readers of text-bound lines skip.
    """
    notes = notes or {}
    lines = []
    written_notes = 0
    for entity in entities:
        if not entity.id.startswith("T") or _has_space(entity.id) or _has_space(entity.label):
            raise ValueError(f"cannot write entity {entity.id!r} ({entity.label!r}) as a BRAT text-bound line")
        spans = ";".join(f"{s} {e}" for s, e in sorted(entity.spans))
        lines.append(f"{entity.id}\t{entity.label} {spans}\t{collapse_whitespace(entity.text)}\n")
        if entity.id in notes:
            written_notes += 1
            lines.append(f"#{written_notes}\tAnnotatorNotes {entity.id}\t{collapse_whitespace(notes[entity.id])}\n")
    for relation in relations:
        if not relation.id.startswith("R") or any(map(_has_space, relation)):
            raise ValueError(f"cannot write relation {relation!r} as a BRAT relation line")
        lines.append(f"{relation.id}\t{relation.type} Arg1:{relation.arg1} Arg2:{relation.arg2}\n")
    return "".join(lines)


def write_ann(
    path: str | Path,
    entities: Iterable[Entity],
    notes: Mapping[str, str] | None = None,
    relations: Iterable[Relation] = (),
) -> None:
    """Write `format_ann(entities, notes, relations)` to `path` atomically (UTF-8, `\\n` newlines), creating
    parent folders: after a crash the file is either absent, the old one, or complete."""
    atomic_write_text(path, format_ann(entities, notes, relations))


CONFIDENCE_NOTE = "confidence "


def confidence_note(confidence: float) -> str:
    """The BRAT note that carries a predicted entity's confidence (`predict_notes` writes it)."""
    return f"{CONFIDENCE_NOTE}{confidence:.4f}"


def read_confidences(ann_path: str | Path) -> dict[str, float]:
    """Entity id -> confidence, from the ``AnnotatorNotes`` lines written with :func:`confidence_note`
    (other notes ignored; a malformed confidence is an InputError naming file and line)."""
    ann_path = Path(ann_path)
    confidences: dict[str, float] = {}
    for number, line in enumerate(_decode(ann_path, ann_path.read_bytes()).split("\n"), start=1):
        fields = line.rstrip().split("\t")
        if not line.startswith("#") or len(fields) < 3 or not fields[1].startswith("AnnotatorNotes "):
            continue
        if not fields[2].startswith(CONFIDENCE_NOTE):
            continue
        try:
            confidences[fields[1].split()[1]] = float(fields[2][len(CONFIDENCE_NOTE):])
        except (IndexError, ValueError):
            raise InputError(ann_path, f"bad confidence note {fields[2]!r}", number) from None
    return confidences


def annotation_types(folder: str | Path) -> list[str]:
    """The sorted text-bound annotation types used in a folder's `.ann` files (a quick scan, no checks)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "corpus folder not found")
    types: set[str] = set()
    for ann in folder.glob("*.ann"):
        for line in _decode(ann, ann.read_bytes()).split("\n"):
            fields = line.split("\t", 2)
            if line.startswith("T") and len(fields) > 1 and fields[1].strip():
                types.add(fields[1].split()[0])
    return sorted(types)
