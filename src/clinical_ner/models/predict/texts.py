"""Tag texts in memory: the Python counterpart of `clinical-ner predict` (which tags folders of notes with the
same functions), for code that holds its notes as strings.

Each text is split into sentences and words exactly as a note read from a file (`bio.text_to_sentences`);
the sentences of all texts of a call are tagged together, sorted by length, in batches. Each entity is a
dict with ``label``, ``start`` and ``end`` (character offsets into the text, end exclusive), ``text`` (the
text between them) and ``confidence`` (`sentences.CONFIDENCE_RULE`), in document order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from clinical_ner.data.bio import text_to_sentences
from clinical_ner.data.records import Entity, Sentence
from clinical_ner.models.predict.sentences import entities_with_confidence, load_model, scored_tags

if TYPE_CHECKING:
    from clinical_ner.models.predict.sentences import Model

Scored = list[tuple[Entity, float]]


def tag_sentence_groups(
    tagger: Model, groups: Sequence[tuple[str, Sequence[Sentence]]], batch_size: int, min_confidence: float = 0.0,
) -> list[tuple[Scored, int]]:
    """Per (text, its sentences): its entities (ids T1, T2, ... in document order) at or above
    `min_confidence` with their confidences, and how many fell below. One batched pass over all sentences."""
    sentences = [s for _, group in groups for s in group]
    tags, probabilities = scored_tags(tagger, sentences, batch_size) if sentences else ([], [])
    results, position = [], 0
    for text, group in groups:
        end = position + len(group)
        scored = [pair for s, t, p in zip(group, tags[position:end], probabilities[position:end])
                  for pair in entities_with_confidence(s, text, t, p)]
        position = end
        kept = [(e, c) for e, c in scored if c >= min_confidence]
        renamed = [(Entity(f"T{n}", e.label, e.spans, e.text), c) for n, (e, c) in enumerate(kept, start=1)]
        results.append((renamed, len(scored) - len(kept)))
    return results


def entity_dict(entity: Entity, confidence: float) -> dict[str, Any]:
    return {"label": entity.label, "start": entity.start, "end": entity.end, "text": entity.text,
            "confidence": confidence}


@overload
def tag_texts(model: str | Path | Model, texts: str, batch_size: int = ..., min_confidence: float = ...,
              device: str | None = ..., threads: int | None = ..., quantize: bool = ...) -> list[dict[str, Any]]: ...
@overload
def tag_texts(model: str | Path | Model, texts: Sequence[str], batch_size: int = ..., min_confidence: float = ...,
              device: str | None = ..., threads: int | None = ..., quantize: bool = ...) -> list[list[dict[str, Any]]]: ...
def tag_texts(model, texts, batch_size=64, min_confidence=0.0, device=None, threads=None, quantize=False):
    """The entities of one text (a list of dicts, module doc) or of each of several texts (a list of such
    lists). `model`: a model folder or a model `sentences.load_model` returned (load once, tag many times);
    `device`, `threads`, `quantize`: as `load_model`; entities below `min_confidence` are left out."""
    single = isinstance(texts, str)
    texts = [texts] if single else list(texts)
    tagger = load_model(model, device, threads=threads, quantize=quantize)
    groups = [(text, text_to_sentences(f"text{k}", text)) for k, text in enumerate(texts)]
    tagged = [[entity_dict(e, c) for e, c in entities]
              for entities, _ in tag_sentence_groups(tagger, groups, batch_size, min_confidence)]
    return tagged[0] if single else tagged
