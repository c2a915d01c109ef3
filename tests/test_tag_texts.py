"""`tag_texts`: the Python API gives the entities and confidences `clinical-ner predict` writes for the same notes,
with exact character offsets; the snippet in docs/prediction.md runs."""

from __future__ import annotations

import re
from pathlib import Path

import helpers_models
import pytest

from clinical_ner.data.brat import read_annotations, read_confidences
from clinical_ner.data.report import CorpusReport
from clinical_ner.models.predict.notes import predict_folder
from clinical_ner.models.predict.sentences import load_model
from clinical_ner.models.predict.texts import tag_texts

ROOT = Path(__file__).resolve().parents[1]
NOTES = [
    "Discharge medications:\n1. Aspirin 81 mg PO daily for CAD.\n2. Metoprolol 25mg BID.\n",
    "Started vancomycin 1 g IV q12h for cellulitis.  She developed a rash on amoxicillin.\n",
    "",
    "  Continue metformin 500 mg PO BID.\n\n\nVital signs were stable overnight.",
]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return helpers_models.lively_tagger("crf").save(tmp_path_factory.mktemp("model") / "final")


def test_the_same_entities_and_confidences_as_the_ann_files(model, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    for k, text in enumerate(NOTES):
        (notes / f"n{k}.txt").write_text(text, encoding="utf-8")
    predict_folder(model, notes, tmp_path / "ann", progress=False)
    tagged = tag_texts(model, NOTES, batch_size=3)
    assert len(tagged) == len(NOTES) and tagged[2] == [] and sum(map(len, tagged)) > 0
    for k, (text, entities) in enumerate(zip(NOTES, tagged)):
        ann = tmp_path / "ann" / f"n{k}.ann"
        written = read_annotations(ann, text, None, CorpusReport())
        confidences = read_confidences(ann)
        assert [(e.label, e.start, e.end, e.text) for e in written] == [
            (e["label"], e["start"], e["end"], e["text"]) for e in entities]
        assert [confidences[e.id] for e in written] == pytest.approx([e["confidence"] for e in entities], abs=5e-5)
        for entity in entities:
            assert entity["text"] == text[entity["start"]: entity["end"]] and 0 < entity["confidence"] <= 1


def test_one_text_a_loaded_model_and_the_confidence_floor(model):
    loaded = load_model(model)
    everything = tag_texts(loaded, NOTES[1])
    assert everything == tag_texts(model, [NOTES[1]])[0]
    floor = sorted(e["confidence"] for e in everything)[len(everything) // 2]
    kept = tag_texts(loaded, NOTES[1], min_confidence=floor)
    assert kept == [e for e in everything if e["confidence"] >= floor] and 0 < len(kept) < len(everything)


def test_quantising_a_loaded_model_leaves_the_callers_model_alone(model):
    loaded = load_model(model)
    before = tag_texts(loaded, NOTES[:2])
    quantised = tag_texts(loaded, NOTES[:2], quantize=True)
    assert tag_texts(loaded, NOTES[:2]) == before and not getattr(loaded, "quantized", False)
    assert [e["confidence"] for doc in quantised for e in doc] != [e["confidence"] for doc in before for e in doc]


def test_the_documented_snippet_runs(model):
    page = (ROOT / "docs" / "prediction.md").read_text(encoding="utf-8")
    block = re.search(r"^( *)```python\n(.*?)^\1```", page, re.M | re.S)
    assert block, "docs/prediction.md has no python block"
    code = "\n".join(line.removeprefix(block.group(1)) for line in block.group(2).splitlines())
    path = re.search(r'load_model\("([^"]+)"\)', code).group(1)
    scope: dict = {}
    exec(code.replace(path, str(model)), scope)
    assert isinstance(scope["entities"], list) and len(scope["per_note"]) == 2
    assert all(set(e) == {"label", "start", "end", "text", "confidence"} for e in scope["entities"])
