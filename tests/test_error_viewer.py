"""The error viewer page without a browser (what it holds, that it needs no network) and the taxonomy's table
and figure."""

from __future__ import annotations

import json
import re

import pytest
from helpers_errors import MISSED, SPURIOUS, TYPES, write_corpus

from clinical_ner.data.brat import read_confidences
from clinical_ner.data.records import Document, Entity
from clinical_ner.errors import InputError
from clinical_ner.evaluation.error_tables import plot_taxonomy, stack_runs, taxonomy_table
from clinical_ner.evaluation.error_taxonomy import ALL_TYPES, classify_document, taxonomy_documents
from clinical_ner.evaluation.error_viewer import document_payload, render_page, write_viewer


def payload_of(html: str) -> dict:
    found = re.search(r'<script id="viewer-data" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_the_page_is_self_contained_and_holds_every_document(tmp_path):
    gold, predicted = write_corpus(tmp_path)
    counts = write_viewer(gold, predicted, tmp_path / "a.html", TYPES, "A <model>", "Errors of A", [("B", "b.html")])
    assert counts == {"documents": 2, "errors": 7, "predictions_without_confidence": 1, "missing_predictions": 0}
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    data = payload_of(html)
    assert data["model"] == "A <model>" and data["links"] == [{"name": "B", "href": "b.html"}]
    assert [d["id"] for d in data["documents"]] == ["note-a", "note-b"]
    entities = {e["key"]: e for e in data["documents"][0]["entities"]}
    assert entities[SPURIOUS]["kind"] == "spurious" and entities[SPURIOUS]["confidence"] == 0.62
    assert entities[MISSED]["kind"] == "missed" and entities[MISSED]["confidence"] is None
    assert entities["g:T4"]["confidence"] == 0.95  # a gold error shows the confidence of the prediction giving it
    assert entities["g:T4"]["others"] == ["p:T3"]


def test_the_data_cannot_close_its_script_element():
    text = "</script><b>x</b>"
    doc = Document("d", text, [Entity("T1", "Drug", ((11, 12),))])
    payload = document_payload(doc, classify_document("d", doc.entities, []), {}, ["Drug"])
    html = render_page({"model": "m", "links": [], "types": ["Drug"], "kinds": {}, "documents": [payload]}, "t")
    assert html.count("</script>") == 2 and payload_of(html)["documents"][0]["text"] == text


def test_offsets_are_utf16_for_the_browser():
    text = "\U0001f48a Aspirin"
    doc = Document("d", text, [Entity("T1", "Drug", ((2, 9),))])
    payload = document_payload(doc, classify_document("d", doc.entities, []), {}, ["Drug"])
    assert payload["entities"][0]["fragments"] == [[3, 10]] and payload["entities"][0]["text"] == "Aspirin"


def test_confidence_notes_are_read_and_a_bad_one_names_its_line(tmp_path):
    ann = tmp_path / "a.ann"
    ann.write_text("T1\tDrug 0 3\tabc\n#1\tAnnotatorNotes T1\tconfidence 0.8125\n#2\tAnnotatorNotes T1\tcheck\n")
    assert read_confidences(ann) == {"T1": 0.8125}
    ann.write_text("T1\tDrug 0 3\tabc\n#1\tAnnotatorNotes T1\tconfidence high\n")
    with pytest.raises(InputError, match=r"a.ann:2: bad confidence note"):
        read_confidences(ann)


def test_table_is_mean_over_seeds_with_fp_and_fn_cells_and_the_figure_is_written(tmp_path):
    gold = [Document("d", "x" * 20, [Entity("T1", "Drug", ((0, 4),)), Entity("T2", "ADE", ((6, 9),))])]
    one = [Document("d", "x" * 20, [Entity("T1", "Drug", ((0, 5),))])]
    two = [Document("d", "x" * 20, [Entity("T1", "Drug", ((0, 4),)), Entity("T2", "Drug", ((6, 9),))])]
    runs = [("M", 1, taxonomy_documents(gold, one, ["ADE", "Drug"])),
            ("M", 2, taxonomy_documents(gold, two, ["ADE", "Drug"]))]
    counts = stack_runs(runs)
    table = taxonomy_table(counts).set_index(["model", "type"])
    assert table.loc[("M", "Drug"), "correct"] == "0.5"
    assert table.loc[("M", "Drug"), "right type, wrong boundary (FP / FN)"] == "0.5 / 0.5"
    assert table.loc[("M", ALL_TYPES), "wrong type, same span (FP / FN)"] == "0.5 / 0.5"
    assert table.loc[("M", "ADE"), "missed (FN)"] == "0.5"
    png, pdf = plot_taxonomy(counts, tmp_path / "taxonomy", "Errors")
    assert png.stat().st_size > 5_000 and pdf.stat().st_size > 1_000
    single = taxonomy_table(stack_runs(runs[:1])).set_index(["model", "type"])
    assert single.loc[("M", "Drug"), "right type, wrong boundary (FP / FN)"] == "1 / 1"
