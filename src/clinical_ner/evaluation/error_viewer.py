"""The error viewer: one self-contained HTML page per model with every test document, its gold and predicted
entities drawn on the text (one colour per type, errors outlined by their `error_taxonomy` kind, the
description and confidence on hover), and a side list of the errors of every document, filtered by kind,
type and confidence. Links lead to the same document on the other models' pages.

The page has no external resource: its style, script and data (the documents as JSON) are inlined, so it
opens offline from a file. Confidences are the predictions' BRAT notes (`brat.read_confidences`); a gold
entity's error shows the highest confidence of the predictions that give its kind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from clinical_ner.atomic import atomic_write_text
from clinical_ner.data.brat import read_confidences
from clinical_ner.data.records import Document, Entity
from clinical_ner.evaluation.brat_scoring import ScoringInput, read_folders
from clinical_ner.evaluation.error_tables import KIND_COLOURS
from clinical_ner.evaluation.error_taxonomy import GOLD, KIND_TITLES, KINDS, PREDICTED, Outcome, classify_documents

TYPE_COLOURS: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)
OUTLINES = {"wrong_type": "solid", "wrong_boundary": "dashed", "wrong_type_boundary": "dotted", "spurious": "solid",
            "missed": "dashed", "duplicate": "dotted"}
Confidences = Mapping[str, Mapping[str, float]]


def _utf16(text: str) -> list[int]:
    """Character offset -> offset in UTF-16 code units (what the browser's text ranges count)."""
    offsets, position = [0], 0
    for char in text:
        position += 2 if ord(char) > 0xFFFF else 1
        offsets.append(position)
    return offsets


def _key(side: str, entity: Entity) -> str:
    return f"{side[0]}:{entity.id}"


def _confidence(outcome: Outcome, own: Mapping[str, float]) -> float | None:
    if outcome.side == PREDICTED:
        return own.get(outcome.entity.id)
    found = [own[e.id] for e in outcome.others if e.id in own]
    return max(found) if found else None


def document_payload(doc: Document, outcomes: Sequence[Outcome], confidences: Mapping[str, float],
                     types: Sequence[str]) -> dict[str, Any]:
    """One document for the page: its text and every entity with side, type, kind, confidence, UTF-16 fragments
    and the keys of the entities that give its kind."""
    offsets = _utf16(doc.text) if any(ord(c) > 0xFFFF for c in doc.text) else None
    entities = []
    for outcome in outcomes:
        entity, other_side = outcome.entity, GOLD if outcome.side == PREDICTED else PREDICTED
        fragments = [[offsets[s], offsets[e]] if offsets else [s, e] for s, e in entity.spans]
        entities.append({
            "key": _key(outcome.side, entity), "side": outcome.side, "type": entity.label,
            "typeIndex": types.index(entity.label), "kind": outcome.kind, "text": " ".join(
                doc.text[s:e] for s, e in entity.spans), "fragments": fragments,
            "confidence": _confidence(outcome, confidences), "others": [_key(other_side, e) for e in outcome.others],
        })
    errors = sum(e["kind"] != "correct" for e in entities)
    return {"id": doc.doc_id, "text": doc.text, "entities": entities, "errors": errors}


def page_payload(gold: Iterable[Document], predicted: Iterable[Document], confidences: Confidences,
                 types: Iterable[str], model: str, links: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Everything the page's script reads: model name, links ``(name, page)``, types, kind titles, documents."""
    gold, types = list(gold), sorted(set(types))
    by_doc: dict[str, list[Outcome]] = {doc.doc_id: [] for doc in gold}
    for outcome in classify_documents(gold, predicted, types):
        by_doc[outcome.doc_id].append(outcome)
    documents = [document_payload(doc, by_doc[doc.doc_id], confidences.get(doc.doc_id, {}), types) for doc in gold]
    return {"model": model, "links": [{"name": n, "href": h} for n, h in links], "types": types,
            "kinds": {kind: KIND_TITLES[kind] for kind in KINDS}, "documents": documents}


def _style(types: Sequence[str]) -> str:
    """The packaged stylesheet, then the colour of each type and the outline of each kind."""
    rules = [resources.files(__package__).joinpath("viewer/viewer.css").read_text(encoding="utf-8")]
    for i, _ in enumerate(types):
        colour = TYPE_COLOURS[i % len(TYPE_COLOURS)]
        rules.append(f".ent.side-predicted.type-{i} {{ background: {colour}59; }}\n"
                     f".ent.side-gold.type-{i} {{ border-bottom-color: {colour}; }}\n"
                     f".swatch.type-{i} {{ background: {colour}59; border-bottom: 4px solid {colour}; }}")
    for kind, style in OUTLINES.items():
        rules.append(f".ent.error.kind-{kind} {{ outline-style: {style}; outline-color: {KIND_COLOURS[kind]}; }}\n"
                     f"#errors li.kind-{kind}, label.kind-{kind} {{ border-left: 4px {style} {KIND_COLOURS[kind]};"
                     " padding-left: 3px; }")
    return "\n".join(rules)


def render_page(payload: Mapping[str, Any], title: str) -> str:
    """The self-contained HTML page of a `page_payload`."""
    package = resources.files(__package__).joinpath("viewer")
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Template(package.joinpath("page.html").read_text(encoding="utf-8")).substitute(
        title=escaped, style=_style(payload["types"]), data=data,
        script=package.joinpath("viewer.js").read_text(encoding="utf-8"))


def folder_confidences(pred_dir: str | Path, doc_ids: Iterable[str]) -> dict[str, dict[str, float]]:
    """Each document's prediction confidences (entity id -> confidence; empty where its ``.ann`` is absent)."""
    pred_dir = Path(pred_dir)
    return {doc_id: read_confidences(pred_dir / f"{doc_id}.ann") if (pred_dir / f"{doc_id}.ann").is_file() else {}
            for doc_id in doc_ids}


def write_viewer(gold_dir: str | Path, pred_dir: str | Path, target: str | Path, types: Iterable[str], model: str,
                 title: str, links: Sequence[tuple[str, str]] = (),
                 label_map: Mapping[str, str] | None = None) -> dict[str, int]:
    """Read a gold and a predicted BRAT folder (as `brat_scoring.read_folders`), then `write_viewer_for`."""
    return write_viewer_for(read_folders(gold_dir, pred_dir, label_map), pred_dir, target, types, model, title, links)


def write_viewer_for(inputs: ScoringInput, pred_dir: str | Path, target: str | Path, types: Iterable[str],
                     model: str, title: str, links: Sequence[tuple[str, str]] = ()) -> dict[str, int]:
    """Write the page of folders already read (confidences from the `.ann` files of `pred_dir`) atomically;
    return counts of documents, errors and predictions without a confidence."""
    confidences = folder_confidences(pred_dir, [doc.doc_id for doc in inputs.gold])
    payload = page_payload(inputs.gold, inputs.predicted, confidences, types, model, links)
    atomic_write_text(target, render_page(payload, title))
    entities = [e for doc in payload["documents"] for e in doc["entities"]]
    return {"documents": len(payload["documents"]), "errors": sum(e["kind"] != "correct" for e in entities),
            "predictions_without_confidence": sum(e["side"] == PREDICTED and e["confidence"] is None for e in entities),
            "missing_predictions": len(inputs.missing_predictions)}
