"""The real PHEE corpus (../shared/data/phee): parses cleanly, BIO round-trips, report adds up."""

from __future__ import annotations

import json

import pytest

from clinical_ner.data.bio import decode_sentences, encode_document, kept_entities
from clinical_ner.data.brat import read_corpus
from clinical_ner.data.report import CorpusReport, combine_reports

FOLDERS = ("train", "dev", "test")


@pytest.fixture(scope="module")
def phee(phee_dir, phee_label_map):
    """Per folder: (documents, report after reading and encoding, sentences per document)."""
    result = {}
    for folder in FOLDERS:
        report = CorpusReport(source=folder)
        docs = read_corpus(phee_dir / folder, phee_label_map, report)
        sentences = {doc.doc_id: encode_document(doc, report) for doc in docs}
        result[folder] = (docs, report, sentences)
    return result


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_document_parses(phee, phee_dir, folder):
    docs, report, _ = phee[folder]
    stems = sorted(p.stem for p in (phee_dir / folder).glob("*.txt"))
    assert [d.doc_id for d in docs] == stems and report.documents == len(stems)
    assert report.warnings == [] and report.documents_without_ann == 0
    t_lines = sum(
        line.startswith("T")
        for p in (phee_dir / folder).glob("*.ann")
        for line in p.read_text(encoding="utf-8").splitlines()
    )
    assert report.entities_read == t_lines > 0
    for doc in docs:
        for entity in doc.entities:
            assert entity.text == " ".join(doc.text[s:e] for s, e in entity.spans)


@pytest.mark.parametrize("folder", FOLDERS)
def test_round_trip_for_every_document(phee, folder):
    docs, _, sentences = phee[folder]
    mismatched = []
    for doc in docs:
        doc_sentences = sentences[doc.doc_id]
        for sentence in doc_sentences:
            assert [doc.text[s:e] for s, e in sentence.offsets] == sentence.tokens
        decoded = [e.key() for e in decode_sentences(doc.doc_id, doc.text, doc_sentences)]
        if decoded != [e.key() for e in kept_entities(doc)]:
            mismatched.append(doc.doc_id)
    assert mismatched == []


@pytest.mark.parametrize("folder", FOLDERS)
def test_report_counts_consistent(phee, folder):
    docs, report, sentences = phee[folder]
    assert report.consistency_errors() == []
    assert report.entities_mapped == sum(len(d.entities) for d in docs)
    assert report.entities_kept == sum(
        tag.startswith("B-") for doc_sentences in sentences.values() for s in doc_sentences for tag in s.tags
    )
    assert report.sentences == sum(map(len, sentences.values()))
    assert report.tokens == sum(len(s.tokens) for doc_sentences in sentences.values() for s in doc_sentences)
    assert set(report.kept_by_type) <= {"ADE", "Drug", "Reason", "Route", "Frequency", "Duration", "Dosage"}
    assert report.dropped_total("unmapped_type") > 0 and report.skipped_lines["event"] > 0


def test_combined_report_is_json(phee):
    combined = combine_reports({folder: phee[folder][1] for folder in FOLDERS})
    total = json.loads(json.dumps(combined))["total"]
    assert total["documents"] == sum(phee[f][1].documents for f in FOLDERS)
    assert total["consistency_errors"] == []
