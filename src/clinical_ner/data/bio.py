"""BIO (IOB2) encoding of documents into tagged sentences, and decoding of tags back into entities.

What BIO can hold (`kept_entities`, applied in this order, every change counted in the report):
  (a) a discontinuous entity is split into its contiguous fragments, each with the entity's label
      (ids `T7_1`, `T7_2`, ...);
  (b) each fragment is trimmed of surrounding whitespace; a whitespace-only fragment is dropped;
  (c) exact duplicates (same label and span) are merged into one (the first in priority order);
  (d) overlapping or nested entities are resolved greedily in priority order: longer span first,
      then earlier start, then label order of `labels.ENTITY_TYPES` (labels not in it after those,
      alphabetically), then annotation id (natural order: T2 before T10); an entity overlapping one
      already kept is dropped. Touching spans (one ends where the next starts) do not overlap.
The kept entities are returned sorted by start (then end, label order, id).

Encoding: sentences come from `tokenization.sentence_spans`; adjacent sentences are merged when a kept
entity would cross their boundary; tokens are split at every kept-entity boundary, so each entity is a
run of whole tokens tagged `B-X I-X ...`, and `decode(encode(doc)) == kept_entities(doc)` exactly.

Decoding (`decode_tags`) is conlleval-style: `B-X` always starts an entity; `I-X` continues the open
entity only if it has type X, otherwise (after `O` or another type) it starts a new entity of type X.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from clinical_ner.data.records import Document, Entity, Sentence, Span
from clinical_ner.data.report import CorpusReport
from clinical_ner.data.tokenization import sentence_spans, split_token_spans, token_spans, trim_span
from clinical_ner.labels import ENTITY_TYPES, OUTSIDE

_LABEL_RANK = {label: rank for rank, label in enumerate(ENTITY_TYPES)}


def label_rank(label: str) -> tuple[int, int, str]:
    """Sort key for labels: study order of ENTITY_TYPES first, then other labels alphabetically."""
    return (0, _LABEL_RANK[label], "") if label in _LABEL_RANK else (1, 0, label)


def id_key(ann_id: str) -> tuple[str | int, ...]:
    """Natural sort key for annotation ids (`T2` < `T10`, `T7_1` < `T7_2`)."""
    parts = re.split(r"(\d+)", ann_id)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def _priority(entity: Entity) -> tuple:
    return (-(entity.end - entity.start), entity.start, label_rank(entity.label), id_key(entity.id))


def _fragments(doc: Document, report: CorpusReport) -> list[Entity]:
    """Rules (a) and (b): contiguous, trimmed, non-empty fragments."""
    fragments = []
    for entity in doc.entities:
        spans = sorted(entity.spans)
        if len(spans) > 1:
            report.discontinuous_split += 1
            report.fragments_added += len(spans) - 1
        for number, (start, end) in enumerate(spans, start=1):
            trimmed = trim_span(doc.text, start, end)
            if trimmed is None:
                report.drop("whitespace_only", entity.label)
                continue
            if trimmed != (start, end):
                report.trimmed += 1
            ann_id = f"{entity.id}_{number}" if len(spans) > 1 else entity.id
            fragments.append(Entity(ann_id, entity.label, (trimmed,), doc.text[trimmed[0] : trimmed[1]]))
    return fragments


def kept_entities(doc: Document, report: CorpusReport | None = None) -> list[Entity]:
    """The contiguous, non-overlapping entities that BIO tags of `doc` hold (rules in the module doc)."""
    report = report if report is not None else CorpusReport()
    seen: set[tuple[str, tuple[Span, ...]]] = set()
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Entity] = []
    for entity in sorted(_fragments(doc, report), key=_priority):
        if entity.key() in seen:
            report.duplicates += 1
            continue
        seen.add(entity.key())
        index = bisect_left(starts, entity.end)
        if index and ends[index - 1] > entity.start:
            report.drop("overlap", entity.label)
            continue
        starts.insert(index, entity.start)
        ends.insert(index, entity.end)
        kept.append(entity)
    kept.sort(key=lambda e: (e.start, e.end, label_rank(e.label), id_key(e.id)))
    report.entities_kept += len(kept)
    report.kept_by_type.update(e.label for e in kept)
    return kept


def _merged_sentences(spans: list[Span], entities: list[Entity], report: CorpusReport) -> list[Span]:
    """Join adjacent sentences so that no entity crosses a sentence boundary."""
    starts = [s for s, _ in spans]
    join_next = [False] * len(spans)
    for entity in entities:
        first = bisect_right(starts, entity.start) - 1
        last = bisect_right(starts, entity.end - 1) - 1
        for k in range(first, last):
            join_next[k] = True
    report.sentence_boundaries_merged += sum(join_next)
    merged: list[Span] = []
    open_start = None
    for (start, end), join in zip(spans, join_next):
        open_start = start if open_start is None else open_start
        if not join:
            merged.append((open_start, end))
            open_start = None
    return merged


def _tags(offsets: list[Span], entities: list[Entity], pointer: int) -> tuple[list[str], int]:
    tags = []
    for start, end in offsets:
        while pointer < len(entities) and entities[pointer].end <= start:
            pointer += 1
        entity = entities[pointer] if pointer < len(entities) else None
        if entity is not None and entity.start <= start and end <= entity.end:
            tags.append(("B-" if start == entity.start else "I-") + entity.label)
        else:
            tags.append(OUTSIDE)
    return tags, pointer


def encode_document(doc: Document, report: CorpusReport | None = None) -> list[Sentence]:
    """IOB2-tagged sentences of one document (calls `kept_entities`, so counts go to `report` once)."""
    report = report if report is not None else CorpusReport()
    entities = kept_entities(doc, report)
    boundaries = frozenset(b for e in entities for b in (e.start, e.end))
    sentences = []
    pointer = 0
    for index, (start, end) in enumerate(_merged_sentences(sentence_spans(doc.text), entities, report)):
        offsets, n_cut = split_token_spans(doc.text, start, end, boundaries)
        report.tokens_cut_at_entity_boundaries += n_cut
        tags, pointer = _tags(offsets, entities, pointer)
        sentences.append(Sentence(doc.doc_id, index, [doc.text[s:e] for s, e in offsets], offsets, tags))
        report.tokens += len(offsets)
    report.sentences += len(sentences)
    return sentences


def encode_corpus(docs: Iterable[Document], report: CorpusReport | None = None) -> list[Sentence]:
    report = report if report is not None else CorpusReport()
    return [sentence for doc in docs for sentence in encode_document(doc, report)]


def _check_tag(tag: str, doc_id: str, position: int) -> None:
    if tag != OUTSIDE and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
        raise ValueError(f"{doc_id}: tag {position} is {tag!r}, not O, B-X or I-X")


def tag_chunks(tags: Sequence[str], doc_id: str = "") -> list[tuple[str, int, int]]:
    """Entity chunks of IOB2 tags as ``(label, first token, last token)`` (conlleval-style, in order)."""
    chunks: list[list] = []
    current: list | None = None
    for position, tag in enumerate(tags):
        _check_tag(tag, doc_id, position)
        if tag == OUTSIDE:
            current = None
            continue
        prefix, label = tag[0], tag[2:]
        if prefix == "I" and current is not None and current[0] == label:
            current[2] = position
        else:
            current = [label, position, position]
            chunks.append(current)
    return [(label, first, last) for label, first, last in chunks]


def decode_tags(doc_id: str, text: str, offsets: Sequence[Span], tags: Sequence[str]) -> list[Entity]:
    """Entities from IOB2 tags over token offsets (`tag_chunks`; ids T1, T2, ... in order)."""
    if len(offsets) != len(tags):
        raise ValueError(f"{doc_id}: {len(offsets)} token offsets but {len(tags)} tags")
    entities = []
    for number, (label, first, last) in enumerate(tag_chunks(tags, doc_id), start=1):
        start, end = offsets[first][0], offsets[last][1]
        entities.append(Entity(f"T{number}", label, ((start, end),), text[start:end]))
    return entities


def decode_sentences(
    doc_id: str, text: str, sentences: Sequence[Sentence], tags: Sequence[Sequence[str]] | None = None
) -> list[Entity]:
    """Entities of a whole document from its sentences (their `tags`, or `tags` given per sentence, e.g.
    predictions); an entity never continues across sentences; ids T1, T2, ... in document order."""
    if tags is not None and len(tags) != len(sentences):
        raise ValueError(f"{doc_id}: {len(sentences)} sentences but {len(tags)} tag sequences")
    entities: list[Entity] = []
    for k, sentence in enumerate(sentences):
        sentence_tags = sentence.tags if tags is None else tags[k]
        entities.extend(decode_tags(doc_id, text, sentence.offsets, sentence_tags))
    return [Entity(f"T{n}", e.label, e.spans, e.text) for n, e in enumerate(entities, start=1)]


def text_to_sentences(doc_id: str, text: str) -> list[Sentence]:
    """Sentences of raw text with every tag `O` (for tagging notes that have no annotations)."""
    sentences = []
    for index, (start, end) in enumerate(sentence_spans(text)):
        offsets = token_spans(text, start, end)
        tokens = [text[s:e] for s, e in offsets]
        sentences.append(Sentence(doc_id, index, tokens, offsets, [OUTSIDE] * len(offsets)))
    return sentences
