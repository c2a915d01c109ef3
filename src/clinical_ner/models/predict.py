"""Prediction with a saved Tagger: sentence rows (JSONL) and raw `.txt` notes to BRAT `.ann` files."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clinical_ner.data.jsonl import read_sentences, write_jsonl
from clinical_ner.data.records import Sentence
from clinical_ner.models.tagger import Tagger


def predict_sentences(tagger: Tagger, sentences: Sequence[Sentence], batch_size: int = 32) -> list[dict[str, Any]]:
    """Prediction rows: each sentence's JSONL row plus ``"pred"`` (one tag per token)."""
    predicted = tagger.predict(sentences, batch_size=batch_size)
    rows = []
    for sentence, pred in zip(sentences, predicted):
        row = sentence.to_dict()
        row["pred"] = pred
        rows.append(row)
    return rows


def _tagger(model: str | Path | Tagger, device: str | None) -> Tagger:
    """The model itself, or the Tagger saved in a folder."""
    return model if isinstance(model, Tagger) else Tagger.load(model, device=device)


def _model_name(model: str | Path | Tagger) -> str:
    return f"{model.encoder_name} ({model.head_type})" if isinstance(model, Tagger) else str(model)


def predict_jsonl(
    model_dir: str | Path | Tagger, input_path: str | Path, output_path: str | Path, batch_size: int = 32,
    device: str | None = None,
) -> dict[str, Any]:
    """Tag a sentence JSONL file with the model in `model_dir`; write prediction rows to `output_path`."""
    started = time.perf_counter()
    tagger = _tagger(model_dir, device)
    sentences = read_sentences(input_path)
    rows = predict_sentences(tagger, sentences, batch_size)
    write_jsonl(output_path, rows)
    return {
        "model": _model_name(model_dir), "input": str(input_path), "output": str(output_path),
        "sentences": len(rows), "tokens": sum(len(s.tokens) for s in sentences),
        "seconds": round(time.perf_counter() - started, 3),
    }


def predict_folder(
    model_dir: str | Path | Tagger, input_dir: str | Path, output_dir: str | Path, batch_size: int = 32,
    device: str | None = None,
) -> dict[str, Any]:
    """Tag every ``.txt`` note in `input_dir` (not recursive) and write ``{doc_id}.ann`` to `output_dir`.

    Notes are split with `bio.text_to_sentences`, tagged, decoded with `bio.decode_sentences` (entity ids
    T1, T2, ... in document order) and written with `brat.write_ann`. Nothing else is copied.
    """
    from clinical_ner.data.bio import decode_sentences, text_to_sentences
    from clinical_ner.data.brat import read_text, write_ann
    from clinical_ner.errors import InputError

    started = time.perf_counter()
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    if not input_dir.is_dir():
        raise InputError(input_dir, "input folder not found")
    notes = sorted(p for p in input_dir.glob("*.txt") if p.is_file())
    if not notes:
        raise InputError(input_dir, "no .txt notes in folder")
    tagger = _tagger(model_dir, device)
    output_dir.mkdir(parents=True, exist_ok=True)
    documents: list[dict[str, Any]] = []
    for note in notes:
        doc_id = note.stem
        text = read_text(note)
        sentences = text_to_sentences(doc_id, text)
        entities = decode_sentences(doc_id, text, sentences, tagger.predict(sentences, batch_size=batch_size))
        write_ann(output_dir / f"{doc_id}.ann", entities)
        documents.append({
            "doc_id": doc_id, "sentences": len(sentences), "tokens": sum(len(s.tokens) for s in sentences),
            "entities": len(entities),
        })
    return {
        "model": _model_name(model_dir), "input": str(input_dir), "output": str(output_dir),
        "documents": len(documents), "sentences": sum(d["sentences"] for d in documents),
        "tokens": sum(d["tokens"] for d in documents), "entities": sum(d["entities"] for d in documents),
        "per_document": documents, "seconds": round(time.perf_counter() - started, 3),
    }
