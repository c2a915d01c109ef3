"""BRAT reading and writing: entities, skipped lines, malformed input, CRLF offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinical_ner.data.brat import format_ann, read_corpus, read_document, write_ann
from clinical_ner.data.records import Entity
from clinical_ner.data.report import CorpusReport, combine_reports
from clinical_ner.errors import InputError

EFFECTS = "Stomatitis, diarrhea, dermatitis, and myelosuppression were seen."


def write_pair(folder: Path, stem: str, text: str | bytes, ann: str | bytes | None) -> tuple[Path, Path]:
    txt, ann_path = folder / f"{stem}.txt", folder / f"{stem}.ann"
    txt.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    if ann is not None:
        ann_path.write_bytes(ann if isinstance(ann, bytes) else ann.encode("utf-8"))
    return txt, ann_path


def read(folder: Path, text: str | bytes, ann: str | bytes | None, label_map=None):
    report = CorpusReport()
    txt, ann_path = write_pair(folder, "doc", text, ann)
    return read_document(txt, ann_path, label_map, report), report


def test_discontinuous_fragments_out_of_order(tmp_path):
    ann = "T10\tEffect 12 20;22 32;38 54;0 10\tdiarrhea dermatitis myelosuppression Stomatitis\n"
    doc, report = read(tmp_path, EFFECTS, ann)
    (entity,) = doc.entities
    assert entity.id == "T10" and entity.label == "Effect"
    assert entity.spans == ((0, 10), (12, 20), (22, 32), (38, 54))
    assert entity.text == "Stomatitis diarrhea dermatitis myelosuppression"
    assert report.entities_read == report.entities_mapped == 1


def test_nested_entities_and_skipped_lines_with_trailing_whitespace(tmp_path):
    text = "Aspirin 81 mg daily"
    ann = (
        "T1\tDrug 0 7\tAspirin \t\n"
        "T2\tStrength 8 13\t81 mg\n"
        "T3\tDosage 0 13\tAspirin 81 mg\n"
        "\n   \n"
        "A1\tNegated T1\n"
        "M2\tSpeculated T2  \n"
        "R1\tStrength-Drug Arg1:T2 Arg2:T1\n"
        "E1\tEvent:T1 Arg:T2\n"
        "N1\tReference T1 RxNorm:1191\tAspirin\n"
        "*\tEquiv T1 T3\n"
        "#1\tAnnotatorNotes T1\tcheck this\n"
    )
    doc, report = read(tmp_path, text, ann)
    assert [(e.id, e.label, e.spans) for e in doc.entities] == [
        ("T1", "Drug", ((0, 7),)),
        ("T2", "Strength", ((8, 13),)),
        ("T3", "Dosage", ((0, 13),)),
    ]
    assert dict(report.skipped_lines) == {
        "attribute": 2, "relation": 1, "event": 1, "normalization": 1, "equivalence": 1, "note": 1,
    }
    assert report.warnings == []


def test_span_text_with_newline_compares_with_collapsed_whitespace(tmp_path):
    doc, report = read(tmp_path, "severe\n  rash today", "T1\tADE 0 13\tsevere rash\n")
    assert doc.entities[0].text == "severe\n  rash"
    assert report.warnings == []


def test_crlf_offsets_are_raw_characters(tmp_path):
    text = "Line one\r\nAspirin 5 mg\r\nDone"
    doc, _ = read(tmp_path, text.encode("utf-8"), "T1\tDrug 10 17\tAspirin\nT2\tStrength 18 22\t5 mg\n")
    assert doc.text == text
    assert [doc.text[s:e] for e in doc.entities for s, e in e.spans] == ["Aspirin", "5 mg"]


def test_label_map_drops_and_counts_unmapped_types(tmp_path):
    ann = "T1\tDrug 0 7\tAspirin\nT2\tSubject 8 15\tpatient\nT3\tSubject 0 15\tAspirin patient\n"
    doc, report = read(tmp_path, "Aspirin patient", ann, label_map={"Drug": "Drug"})
    assert [e.label for e in doc.entities] == ["Drug"]
    assert report.dropped["unmapped_type"] == {"Subject": 2}
    assert report.entities_read == 3 and report.entities_mapped == 1
    assert report.read_by_type == {"Drug": 1, "Subject": 2}


@pytest.mark.parametrize(
    ("ann", "message"),
    [
        ("T1\tDrug 0 7\tAspirin\nT2\tDrug 5 5\tx\n", "bad offsets"),
        ("T1\tDrug 8 3\tx\n", "bad offsets"),
        ("\nT1\tDrug 0 99\tAspirin\n", "bad offsets"),
        ("T1\tDrug -1 7\tAspirin\n", "bad offsets"),
        ("T1\tDrug 0 seven\tAspirin\n", "non-integer"),
        ("T1\tDrug 0 7;8\tAspirin\n", "bad fragment"),
        ("T1\tDrug 0 7\tAspirine\n", "text mismatch"),
        ("T1\tDrug 0 7\n", "3 tab-separated fields"),
        ("T1\tDrug\tAspirin\n", "missing offsets"),
        ("T1\tDrug 0 7\tAspirin\nT1\tDrug 8 10\t81\n", "duplicate annotation id"),
    ],
)
def test_malformed_text_bound_lines_name_file_and_line(tmp_path, ann, message):
    with pytest.raises(InputError) as caught:
        read(tmp_path, "Aspirin 81 mg", ann)
    line = ann.rstrip("\n").count("\n") + 1
    assert message in str(caught.value)
    assert f"doc.ann:{line}:" in str(caught.value)
    assert caught.value.line == line


def test_non_utf8_text_names_file_and_line(tmp_path):
    with pytest.raises(InputError) as caught:
        read(tmp_path, b"first line\nsecond \xff line\n", "")
    assert "doc.txt:2:" in str(caught.value) and "UTF-8" in str(caught.value)


def test_non_utf8_annotation_names_file_and_line(tmp_path):
    with pytest.raises(InputError) as caught:
        read(tmp_path, "Aspirin", b"T1\tDrug 0 7\tAspirin\nT2\tDrug 0 7\tAsp\xe9\n")
    assert "doc.ann:2:" in str(caught.value)


def test_missing_text_file_is_an_error(tmp_path):
    write_pair(tmp_path, "a", "Aspirin", "")
    (tmp_path / "b.ann").write_text("T1\tDrug 0 7\tAspirin\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"b\.ann.*no matching \.txt"):
        read_corpus(tmp_path, None, CorpusReport())
    with pytest.raises(InputError, match=r"b\.txt: text file not found"):
        read_document(tmp_path / "b.txt", tmp_path / "b.ann", None, CorpusReport())


def test_missing_annotation_file_is_a_counted_warning(tmp_path):
    write_pair(tmp_path, "a", "Aspirin", None)
    report = CorpusReport()
    (doc,) = read_corpus(tmp_path, None, report)
    assert doc.entities == [] and report.documents_without_ann == 1
    assert report.warnings[0]["file"].endswith("a.ann")


def test_empty_text_and_empty_annotation_files(tmp_path):
    doc, report = read(tmp_path, "", "")
    assert doc.text == "" and doc.entities == []
    assert report.empty_documents == 1
    assert report.warnings == [{"file": str(tmp_path / "doc.txt"), "line": None, "message": "empty text file"}]


def test_unknown_line_type_is_a_counted_warning(tmp_path):
    doc, report = read(tmp_path, "Aspirin", "T1\tDrug 0 7\tAspirin\nX1\tWhatever\n")
    assert len(doc.entities) == 1
    assert report.skipped_lines["unknown"] == 1
    (warning,) = report.warnings
    assert warning["file"].endswith("doc.ann") and warning["line"] == 2 and "X1" in warning["message"]


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no documents"):
        read_corpus(tmp_path, None, CorpusReport())


def test_read_corpus_sorted_by_doc_id(tmp_path):
    for stem in ["b", "a10", "a2"]:
        write_pair(tmp_path, stem, f"text {stem}", "")
    report = CorpusReport()
    docs = read_corpus(tmp_path, None, report)
    assert [d.doc_id for d in docs] == ["a10", "a2", "b"]
    assert report.documents == 3


def test_write_ann_rereads_identically(tmp_path):
    text = "Stomatitis, diarrhea,\r\ndermatitis, and myelosuppression were seen."
    d, m = text.index("dermatitis"), text.index("myelo")
    entities = [
        Entity("T1", "ADE", ((0, 10), (d, d + 10)), "Stomatitis dermatitis"),
        Entity("T2", "ADE", ((12, d + 10),), text[12 : d + 10]),
        Entity("T3", "ADE", ((m, m + 16),), text[m : m + 16]),
    ]
    write_pair(tmp_path, "doc", text, None)
    write_ann(tmp_path / "sub" / "doc.ann", entities)
    assert format_ann(entities).splitlines()[0] == f"T1\tADE 0 10;{d} {d + 10}\tStomatitis dermatitis"
    assert format_ann(entities).splitlines()[1] == f"T2\tADE 12 {d + 10}\tdiarrhea, dermatitis"
    report = CorpusReport()
    doc = read_document(tmp_path / "doc.txt", tmp_path / "sub" / "doc.ann", None, report)
    assert [e.key() for e in doc.entities] == [e.key() for e in entities]
    assert report.warnings == [] and report.entities_read == 3


def test_format_ann_rejects_unwritable_ids():
    with pytest.raises(ValueError):
        format_ann([Entity("X1", "Drug", ((0, 1),), "a")])
    with pytest.raises(ValueError):
        format_ann([Entity("T1", "Two words", ((0, 1),), "a")])


def test_report_merge_and_dict(tmp_path):
    train_ann = "T1\tDrug 0 7\tAspirin\nT2\tSubject 8 15\tpatient\nR1\tx\n"
    _, train = read(tmp_path, "Aspirin patient", train_ann, {"Drug": "Drug"})
    _, test = read(tmp_path, "Aspirin", "T1\tDrug 0 7\tAspirin\nQ1\tbad\n", {"Drug": "Drug"})
    train.source, test.source = "train", "test"
    combined = combine_reports({"train": train, "test": test})
    total = combined["total"]
    assert set(combined["sources"]) == {"train", "test"}
    assert total["documents"] == 2 and total["entities_read"] == 3 and total["entities_mapped"] == 2
    assert total["dropped"]["unmapped_type"] == {"Subject": 1}
    assert total["skipped_lines"] == {"relation": 1, "unknown": 1}
    assert len(total["warnings"]) == 1
    assert json.loads(json.dumps(combined)) == combined
    assert CorpusReport.from_dict(combined["sources"]["train"]).to_dict() == train.to_dict()


def test_format_ann_writes_relations_after_entities():
    from clinical_ner.data.records import Relation

    entities = [Entity("T1", "Drug", ((0, 7),), "aspirin"), Entity("T2", "Strength", ((8, 13),), "81 mg")]
    text = format_ann(entities, relations=[Relation("R1", "Strength-Drug", "T2", "T1")])
    assert text.splitlines()[-1] == "R1\tStrength-Drug Arg1:T2 Arg2:T1"
    with pytest.raises(ValueError, match="relation"):
        format_ann(entities, relations=[Relation("X1", "Strength-Drug", "T2", "T1")])


def test_a_misspelt_label_map_key_is_counted_in_the_report(tmp_path):
    _, train = read(tmp_path, "Aspirin patient", "T1\tDrug 0 7\tAspirin\nT2\tMedication 8 15\tpatient\n",
                    {"Drug": "Drug", "Medications": "Drug"})
    combined = combine_reports({"train": train}, {"Drug": "Drug", "Medications": "Drug"})
    assert combined["label_map"] == {"keys": 2, "unmatched": 1, "unmatched_keys": ["Medications"]}
    assert combined["total"]["dropped"]["unmapped_type"] == {"Medication": 1}


def test_a_label_map_matching_no_annotation_is_an_error(tmp_path):
    write_pair(tmp_path, "doc", "Aspirin patient", "T1\tMedication 0 7\tAspirin\n")
    with pytest.raises(InputError, match=r"label map matches no annotation.*\['Medication'\]"):
        read_corpus(tmp_path, {"Medications": "Drug"}, CorpusReport())
    assert read_corpus(tmp_path, {"Medication": "Drug"}, CorpusReport())[0].entities[0].label == "Drug"
