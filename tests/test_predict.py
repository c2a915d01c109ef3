"""Tagger save/load round trip and prediction into BRAT files that the BRAT reader accepts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import helpers_models
import pytest

from clinical_ner.models.predict.notes import predict_folder
from clinical_ner.models.predict.sentences import predict_jsonl, predict_sentences
from clinical_ner.models.tagger import Tagger

NOTES = {
    "note-a": "Discharge medications:\n1. Aspirin 81 mg PO daily for CAD.\n2. Metoprolol 25mg BID.\n",
    "note-b": "Pt developed a rash after vancomycin IV q12h.\r\nStopped on day 3;  started linezolid 600 mg.\r\n",
    "note-c": "  Café-au-lait spots.\tNo distress.\n\n\nHeparin 5,000 units SC TID x 7 days (DVT ppx).",
    "note-d": "",
}


@pytest.mark.parametrize("head", ["crf", "apt"])
def test_save_load_round_trip_gives_identical_predictions(tmp_path: Path, head: str) -> None:
    tagger = helpers_models.lively_tagger(head)
    sentences = helpers_models.make_sentences(25, seed=21) + [["unseen", "Zyvox", "tokens", "\u200b"]]
    before = tagger.predict(sentences, batch_size=4)
    assert len({t for row in before for t in row}) > 2, "a degenerate tagger would make this test vacuous"
    tagger.save(tmp_path / "model")
    config = json.loads((tmp_path / "model" / "tagger.json").read_text())
    assert config["head"] == head and config["labels"] == tagger.labels and config["max_length"] == 64
    assert {"torch", "transformers", "tokenizers"} <= set(config["versions"])
    loaded = Tagger.load(tmp_path / "model", device="cpu")
    assert type(loaded.head) is type(tagger.head) and loaded.labels == tagger.labels
    assert loaded.predict(sentences, batch_size=7) == before
    # the folder alone suffices: move it and load again
    shutil.move(tmp_path / "model", tmp_path / "moved")
    assert Tagger.load(tmp_path / "moved").predict(sentences) == before
    with pytest.raises(FileNotFoundError, match=r"tagger\.json"):
        Tagger.load(tmp_path / "nowhere")


def test_predict_sentences_and_jsonl(tmp_path: Path) -> None:
    from clinical_ner.data.bio import decode_tags
    from clinical_ner.data.jsonl import iter_jsonl, write_sentences

    tagger = helpers_models.lively_tagger("crf")
    sentences = helpers_models.make_sentences(12, seed=3)
    rows = predict_sentences(tagger, sentences)
    assert len(rows) == len(sentences)
    tags = tagger.predict(sentences)
    for row, sentence, expected in zip(rows, sentences, tags):
        assert {k: v for k, v in row.items() if k not in ("pred", "confidence", "entities")} == sentence.to_dict()
        assert row["pred"] == expected
        assert len(row["confidence"]) == len(row["tags"]) and all(0 < p <= 1 for p in row["confidence"])
        entities = decode_tags(sentence.doc_id, " ".join(sentence.tokens), sentence.offsets, row["pred"])
        assert [(e["label"], e["start"], e["end"], e["text"]) for e in row["entities"]] == [
            (e.label, e.start, e.end, e.text) for e in entities
        ]
        for entity in row["entities"]:
            words = [i for i, (s, e) in enumerate(sentence.offsets) if entity["start"] <= s and e <= entity["end"]]
            assert entity["confidence"] == pytest.approx(min(row["confidence"][i] for i in words), abs=1e-6)
    assert any(row["entities"] for row in rows)
    tagger.save(tmp_path / "model")
    write_sentences(tmp_path / "test.jsonl", sentences)
    summary = predict_jsonl(tmp_path / "model", tmp_path / "test.jsonl", tmp_path / "pred" / "test.jsonl")
    assert summary["sentences"] == len(sentences)
    assert list(iter_jsonl(tmp_path / "pred" / "test.jsonl")) == rows


def test_predict_folder_writes_ann_that_the_reader_accepts(tmp_path: Path) -> None:
    from clinical_ner.data.bio import decode_tags, text_to_sentences
    from clinical_ner.data.brat import read_corpus
    from clinical_ner.data.report import CorpusReport

    notes = tmp_path / "notes"
    notes.mkdir()
    for doc_id, text in NOTES.items():
        (notes / f"{doc_id}.txt").write_bytes(text.encode("utf-8"))
    synthetic = tmp_path / "synthetic"
    if helpers_models.synthetic_sentences(synthetic, 1, 2, seed=5) is not None:
        for txt in sorted((synthetic / "test").glob("*.txt")):
            shutil.copy(txt, notes / txt.name)  # the text only, never the gold .ann
    (notes / "README.md").write_text("not a note")
    tagger = helpers_models.lively_tagger("crf")
    tagger.save(tmp_path / "model")
    out = tmp_path / "ann"
    summary = predict_folder(tmp_path / "model", notes, out)
    n_notes = len(list(notes.glob("*.txt")))
    assert summary["notes_tagged"] == n_notes and summary["entities"] > 10
    assert sorted(p.name for p in out.iterdir()) == sorted([p.stem + ".ann" for p in notes.glob("*.txt")] + ["predict_report.json"])
    # re-read: every .ann next to its .txt, through the BRAT reader (which rejects any offset/text mismatch)
    check = tmp_path / "check"
    check.mkdir()
    for txt in notes.glob("*.txt"):
        shutil.copy(txt, check / txt.name)
        shutil.copy(out / f"{txt.stem}.ann", check / f"{txt.stem}.ann")
    report = CorpusReport()
    documents = read_corpus(check, None, report)
    assert [w for w in report.warnings if "empty text" not in w["message"]] == []
    assert report.entities_read == summary["entities"]
    by_id = {d.doc_id: d for d in documents}
    for doc_id, text in [(p.stem, p.read_bytes().decode("utf-8")) for p in notes.glob("*.txt")]:
        document = by_id[doc_id]
        assert document.text == text
        for entity in document.entities:
            assert entity.text == " ".join(text[s:e] for s, e in entity.spans)
            assert text[entity.start:entity.end].strip() == text[entity.start:entity.end]
        # the same entities as decoding the tagger's tags directly
        sentences = text_to_sentences(doc_id, text)
        expected = [e for s, tags in zip(sentences, tagger.predict(sentences)) for e in decode_tags(doc_id, text, s.offsets, tags)]
        assert [(e.label, e.spans) for e in document.entities] == [(e.label, e.spans) for e in expected]
    assert by_id["note-d"].entities == []


@pytest.mark.parametrize("units", ["word", "subword"])
def test_remembered_predictions_score_each_sentence_once_and_answer_the_same(
    monkeypatch: pytest.MonkeyPatch, units: str
) -> None:
    tagger = helpers_models.lively_tagger("crf")
    tagger.units = units
    sentences = helpers_models.make_sentences(12, seed=8)
    plain = tagger.predict_scored(sentences, batch_size=4)
    tagger.remember_predictions()
    seen: list[int] = []
    run_windows = tagger._run_windows
    monkeypatch.setattr(tagger, "_run_windows", lambda windows, *a, **k: seen.append(len(windows)) or run_windows(windows, *a, **k))
    first = tagger.predict_scored(sentences, batch_size=4)
    again = tagger.predict_scored(list(reversed(sentences)) + sentences[:3], batch_size=4)
    distinct = len({tuple(s.tokens) for s in sentences})
    assert sum(seen) >= distinct and len(seen) == 1  # one encoder pass, the second call from memory
    for row, expected in zip(first, plain):
        assert [i for i, _ in row] == [i for i, _ in expected]
        assert [p for _, p in row] == pytest.approx([p for _, p in expected], abs=1e-6)
    assert again == list(reversed(first)) + first[:3]
