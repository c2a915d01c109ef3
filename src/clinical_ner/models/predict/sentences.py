"""Prediction with a saved model (a Tagger, or the feature CRF baseline) on sentence rows (JSONL), with a
confidence per token and per entity.

Confidence: each word's probability of its predicted label (CRF head: the forward-backward marginal;
Apt head: the softmax; feature CRF: CRFsuite's marginal). An entity's confidence is the MINIMUM over its words: the joint probability that
every word of the entity carries its label is at most that minimum, so it is the tightest summary of the
word marginals (a mean would overstate a span with one doubtful word).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clinical_ner.data.bio import decode_tags, tag_chunks
from clinical_ner.data.jsonl import read_sentences, write_jsonl
from clinical_ner.data.records import Entity, Sentence
from clinical_ner.errors import InputError
from clinical_ner.models.baselines.feature_crf import FeatureCRF, is_feature_crf

if TYPE_CHECKING:
    from clinical_ner.models.tagger import Tagger

    Model = Tagger | FeatureCRF

CONFIDENCE_RULE = "min over the entity's words of the probability of the predicted label (CRF marginal or softmax)"
DIGITS = 6


def load_model(
    model: str | Path | Model, device: str | None = None, threads: int | None = None, quantize: bool = False
) -> Model:
    """The model itself, or the model saved in a folder (a Tagger, or the feature CRF baseline); a folder
    without its label set is refused. `threads` (torch's CPU threads) and `quantize` (int8 dynamic
    quantisation of the encoder's linear layers, CPU only: `quantization.quantize_encoder`; a model passed in
    is copied, not changed) apply to Taggers; the feature CRF never imports torch. `device` places a model
    loaded from a folder; a model passed in stays where it is."""
    if not isinstance(model, (str, Path)):
        if not isinstance(model, FeatureCRF):
            from clinical_ner.models.device import set_threads

            set_threads(threads)
        return model if not quantize else _quantized(copy.deepcopy(model))  # the caller's model stays fp32
    folder = Path(model)
    if not folder.is_dir():
        raise InputError(folder, "model folder not found")
    if is_feature_crf(folder):
        return _quantized(FeatureCRF.load(folder)) if quantize else FeatureCRF.load(folder)
    from clinical_ner.models.device import set_threads
    from clinical_ner.models.tagger import TAGGER_FILE, Tagger

    set_threads(threads)
    config = folder / TAGGER_FILE
    if not config.is_file():
        raise InputError(folder, f"not a trained model: {TAGGER_FILE} (the label set, head and encoder settings) "
                         "is missing; pass the folder written by training, e.g. results/models/scratch-crf/full/f1/seed42/final")
    try:
        labels = json.loads(config.read_text(encoding="utf-8")).get("labels")
    except json.JSONDecodeError as error:
        raise InputError(config, f"invalid JSON: {error.msg}", error.lineno) from None
    if not labels or not isinstance(labels, list):
        raise InputError(config, "no label set ('labels') in the model: predictions could not be named")
    tagger = Tagger.load(folder, device=device)
    return _quantized(tagger) if quantize else tagger


def _quantized(model: Model) -> Model:
    if isinstance(model, FeatureCRF):
        raise ValueError("--quantize applies to neural taggers; the feature CRF has no encoder to quantise")
    from clinical_ner.models.predict.quantization import quantize_encoder

    return quantize_encoder(model)


def model_name(model: str | Path | Model) -> str:
    return str(model) if isinstance(model, (str, Path)) else f"{model.encoder_name} ({model.head_type})"


def scored_tags(tagger: Model, sentences: Sequence[Sentence], batch_size: int = 32) -> tuple[list[list[str]], list[list[float]]]:
    """Predicted tags and their probabilities, one list per sentence (all sentences batched together)."""
    scored = tagger.predict_scored(sentences, batch_size=batch_size)
    tags = [[tagger.labels[i] for i, _ in row] for row in scored]
    probabilities = [[p for _, p in row] for row in scored]
    return tags, probabilities


def entity_confidence(probabilities: Sequence[float], first: int, last: int) -> float:
    """An entity's confidence: the minimum of its words' probabilities (`CONFIDENCE_RULE`)."""
    return min(probabilities[first: last + 1])


def entities_with_confidence(
    sentence: Sentence, text: str, tags: Sequence[str], probabilities: Sequence[float]
) -> list[tuple[Entity, float]]:
    """The sentence's predicted entities (`bio.decode_tags`) with their confidence (min of their words)."""
    entities = decode_tags(sentence.doc_id, text, sentence.offsets, tags)
    chunks = tag_chunks(tags, sentence.doc_id)
    return [(e, entity_confidence(probabilities, first, last)) for e, (_, first, last) in zip(entities, chunks)]


def predict_sentences(tagger: Model, sentences: Sequence[Sentence], batch_size: int = 32) -> list[dict[str, Any]]:
    """Prediction rows: each sentence's JSONL row plus ``pred`` (one tag per token), ``confidence`` (the
    probability of each predicted tag) and ``entities`` (``label``, ``start``, ``end``, ``text``,
    ``confidence`` of each predicted entity; offsets as in ``offsets``, text = its tokens joined by spaces).
    A tagger with sub-word units adds what it scores: ``subwords``, gold ``subword_tags``,
    ``subword_pred`` and ``subwords_truncated`` (pieces cut off after ``max_subwords``)."""
    if getattr(tagger, "units", "word") == "subword":
        units = tagger.predict_units(sentences, batch_size, with_probabilities=True)
        words = tagger.words_from_units(sentences, units, outside=(tagger.label_ids.get("O", 0), 0.0))
        unit_rows = tagger.unit_rows(sentences)
    else:
        words = tagger.predict_scored(sentences, batch_size=batch_size)
        units, unit_rows = [[] for _ in sentences], [{} for _ in sentences]
    rows = []
    for sentence, scored, unit_scored, unit_row in zip(sentences, words, units, unit_rows):
        pred = [tagger.labels[i] for i, _ in scored]
        probs = [p for _, p in scored]
        row = sentence.to_dict()
        row["pred"] = pred
        row["confidence"] = [round(p, DIGITS) for p in probs]
        row["entities"] = [
            {"label": label, "start": sentence.offsets[first][0], "end": sentence.offsets[last][1],
             "text": " ".join(sentence.tokens[first: last + 1]), "confidence": round(entity_confidence(probs, first, last), DIGITS)}
            for label, first, last in tag_chunks(pred, sentence.doc_id)
        ]
        if unit_row:
            row.update(unit_row)
            row["subword_pred"] = [tagger.labels[i] for i, _ in unit_scored]
        rows.append(row)
    return rows


def predict_jsonl(
    model_dir: str | Path | Model, input_path: str | Path, output_path: str | Path, batch_size: int = 32,
    device: str | None = None,
) -> dict[str, Any]:
    """Tag a sentence JSONL file with the model in `model_dir`; write prediction rows to `output_path`."""
    started = time.perf_counter()
    tagger = load_model(model_dir, device)
    sentences = read_sentences(input_path)
    rows = predict_sentences(tagger, sentences, batch_size)
    write_jsonl(output_path, rows)
    return {
        "model": model_name(model_dir), "input": str(input_path), "output": str(output_path),
        "sentences": len(rows), "tokens": sum(len(s.tokens) for s in sentences),
        "seconds": round(time.perf_counter() - started, 3),
    }
