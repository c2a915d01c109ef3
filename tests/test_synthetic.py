"""The embedded synthetic n2c2-2018-like corpus: determinism, exact offsets, content and variety."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from clinical_ner.corpus.lexicon import DRUGS, HELD_OUT_CONDITIONS
from clinical_ner.corpus.synthetic import generate_corpus, generate_letter
from clinical_ner.data.bio import encode_corpus
from clinical_ner.data.brat import read_corpus
from clinical_ner.data.report import CorpusReport
from clinical_ner.data.tokenization import sentence_spans
from clinical_ner.labels import ENTITY_TYPES

T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
R_LINE = re.compile(r"^(R\d+)\t(\S+)-Drug Arg1:(T\d+) Arg2:(T\d+)$")


def _read(folder: Path) -> dict[str, tuple[str, list[tuple[str, str, list[tuple[int, int]], str]], list[tuple[str, str, str, str]]]]:
    """doc id -> (text, [(T id, type, spans, text)], [(R id, attribute type, Arg1, Arg2)]), parsed independently."""
    docs = {}
    for txt in sorted(folder.glob("*.txt")):
        text = txt.read_bytes().decode("utf-8")
        entities, relations = [], []
        for line in txt.with_suffix(".ann").read_bytes().decode("utf-8").split("\n"):
            if not line:
                continue
            if match := T_LINE.match(line):
                spans = [tuple(map(int, part.split())) for part in match.group(3).split(";")]
                entities.append((match.group(1), match.group(2), spans, match.group(4)))
            elif match := R_LINE.match(line):
                relations.append(match.groups())
            else:
                raise AssertionError(f"{txt.stem}: bad .ann line {line!r}")
        docs[txt.stem] = (text, entities, relations)
    return docs


def _sentences(text: str) -> list[tuple[int, int]]:
    """The pipeline's sentences (the data layer's splitter)."""
    return sentence_spans(text)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    summary = generate_corpus(out, 120, 40)
    return out, summary, {split: _read(out / split) for split in ("train", "test")}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_deterministic_for_a_seed_and_different_across_seeds(tmp_path):
    a, b, c = (generate_corpus(tmp_path / name, 12, 6, seed) for name, seed in (("a", 5), ("b", 5), ("c", 6)))
    files_a, files_b, files_c = (_files(tmp_path / name) for name in "abc")
    assert len(files_a) == 2 * (12 + 6)
    assert files_a == files_b
    assert a == b
    assert files_a.keys() == files_c.keys()
    assert sum(files_a[k] != files_c[k] for k in files_a) >= len(files_a) - 2
    assert a["entities"] != c["entities"] or a["sentences"] != c["sentences"]


def test_layout_ids_and_stale_files_removed(tmp_path):
    generate_corpus(tmp_path, 5, 3, seed=1)
    generate_corpus(tmp_path, 2, 1, seed=1)
    assert sorted(p.name for p in (tmp_path / "train").iterdir()) == [
        "synth-train-0001.ann", "synth-train-0001.txt", "synth-train-0002.ann", "synth-train-0002.txt",
    ]
    assert sorted(p.name for p in (tmp_path / "test").iterdir()) == ["synth-test-0001.ann", "synth-test-0001.txt"]


def test_generate_letter_api():
    letter = generate_letter(random.Random(3), 7, "test")
    assert letter.doc_id == "synth-test-0007"
    assert letter.text.endswith("\n") and "\r" not in letter.text
    assert [e.id for e in letter.entities] == [f"T{i}" for i in range(1, len(letter.entities) + 1)]
    for entity in letter.entities:
        assert entity.text == " ".join(letter.text[s:e] for s, e in entity.spans)
    with pytest.raises(ValueError):
        generate_letter(random.Random(3), 1, "dev")


def test_annotations_match_text_exactly(corpus):
    _, _, splits = corpus
    for docs in splits.values():
        for doc_id, (text, entities, relations) in docs.items():
            assert "\r" not in text and text.endswith("\n")
            assert [e[0] for e in entities] == [f"T{i}" for i in range(1, len(entities) + 1)], doc_id
            by_id = {e[0]: e for e in entities}
            for _, label, spans, value in entities:
                assert label in ENTITY_TYPES
                assert spans == sorted(spans) and all(0 <= s < e <= len(text) for s, e in spans)
                fragments = [text[s:e] for s, e in spans]
                assert all("\n" not in f and f == f.strip() for f in fragments), (doc_id, fragments)
                assert " ".join(" ".join(fragments).split()) == " ".join(value.split()), (doc_id, value)
                assert "\n" not in text[spans[0][0] : spans[-1][1]]  # within one line
            assert [r[0] for r in relations] == [f"R{i}" for i in range(1, len(relations) + 1)]
            for _, attribute, arg1, arg2 in relations:
                assert by_id[arg2][1] == "Drug"
                assert by_id[arg1][1] == attribute and attribute != "Drug"


def test_entities_never_cross_sentences(corpus):
    _, _, splits = corpus
    for docs in splits.values():
        for text, entities, _ in docs.values():
            sentences = _sentences(text)
            for _, _, spans, value in entities:
                assert any(s <= spans[0][0] and spans[-1][1] <= e for s, e in sentences), value


def test_all_types_occur_in_both_splits(corpus):
    _, summary, splits = corpus
    for split, docs in splits.items():
        counts = Counter(label for _, entities, _ in docs.values() for _, label, _, _ in entities)
        assert set(counts) == set(ENTITY_TYPES)
        minimum = 120 if split == "train" else 25
        assert min(counts.values()) >= minimum, (split, counts)
        assert counts["Drug"] == max(counts.values())
        assert summary["splits"][split]["entities"] == {t: counts[t] for t in ENTITY_TYPES}
    assert summary["docs"] == {"train": 120, "test": 40, "total": 160}


def test_plain_sentence_fraction_is_n2c2_like(corpus):
    _, summary, splits = corpus
    for split, docs in splits.items():
        total = plain = 0
        for text, entities, _ in docs.values():
            sentences = _sentences(text)
            assert 20 <= len(sentences) <= 65
            covered = [(s, e) for _, _, spans, _ in entities for s, e in spans]
            for start, end in sentences:
                total += 1
                plain += not any(s < end and e > start for s, e in covered)
        assert 0.65 <= plain / total <= 0.85, (split, plain / total)
        assert summary["splits"][split]["sentences"] == total
        assert summary["splits"][split]["plain_sentences"] == plain
    assert 0.65 <= summary["plain_sentence_fraction"] <= 0.85


def test_summary_counts_the_sentences_the_pipeline_reads(corpus):
    """The generator aims at (and reports) the plain fraction of the sentences build_sentences will make."""
    out, summary, _ = corpus
    for split in ("train", "test"):
        report = CorpusReport()
        sentences = encode_corpus(read_corpus(out / split, None, report), report)
        assert summary["splits"][split]["sentences"] == len(sentences)
        assert summary["splits"][split]["plain_sentences"] == sum(set(s.tags) == {"O"} for s in sentences)


def test_variety_of_medication_lines_and_drugs(corpus):
    _, summary, splits = corpus
    shapes, drugs = set(), set()
    for text, entities, _ in splits["train"].values():
        starts = {}
        for _, label, spans, value in entities:
            if label == "Drug":
                drugs.add(value)
            starts.setdefault(text.rfind("\n", 0, spans[0][0]) + 1, []).append((spans, label))
        for line_start, items in starts.items():
            line = text[line_start : text.index("\n", line_start)]
            if not any(label in ("Strength", "Dosage") for _, label in items) or not re.match(r"^(\W*\d*\W*\s*)\S", line):
                continue
            if len(_sentences(line)) > 2:
                continue  # narrative paragraph, not a medication line
            shape, pos = [], line_start
            for spans, label in sorted(items, key=lambda item: item[0][0]):
                if spans[0][0] >= pos:
                    shape.append(re.sub(r"\d+", "#", text[pos : spans[0][0]]).strip())
                    shape.append(f"<{label}>")
                    pos = spans[-1][1]
            shapes.add(" ".join(shape))
    assert len(shapes) >= 60, len(shapes)
    assert len(drugs) >= 150, len(drugs)
    assert len({d.lower() for d in drugs}) >= 100
    assert summary["medication_templates_used"] >= 25
    assert len([d for d in DRUGS if not d.held_out]) >= 80


def test_test_split_has_held_out_drugs_and_conditions(corpus):
    _, _, splits = corpus
    train_text = "\n".join(text for text, _, _ in splits["train"].values()).lower()
    held_names = {n.lower() for d in DRUGS if d.held_out for n in d.names + d.brands}
    for name in held_names | {c.lower() for c in HELD_OUT_CONDITIONS}:
        assert not re.search(rf"\b{re.escape(name)}\b", train_text), name
    train_drugs = {v.lower() for _, ents, _ in splits["train"].values() for _, label, _, v in ents if label == "Drug"}
    test_drugs = {v.lower() for _, ents, _ in splits["test"].values() for _, label, _, v in ents if label == "Drug"}
    unseen = test_drugs - train_drugs
    assert len(unseen & held_names) >= 8, unseen
    test_conditions = {v for _, ents, _ in splits["test"].values() for _, label, _, v in ents if label in ("Reason", "ADE")}
    assert len(test_conditions & HELD_OUT_CONDITIONS) >= 3


def test_condition_label_depends_on_context(corpus):
    _, _, splits = corpus
    for docs in splits.values():
        by_label = {"Reason": set(), "ADE": set()}
        for _, entities, _ in docs.values():
            for _, label, _, value in entities:
                if label in by_label:
                    by_label[label].add(value.lower())
        both = by_label["Reason"] & by_label["ADE"]
        assert len(both) >= 10, both
        assert len(both & {"hyperkalemia", "nausea", "rash", "hypotension", "constipation", "diarrhea", "bradycardia"}) >= 3


def test_discontinuous_and_overlapping_entities_are_rare_but_present(corpus):
    _, summary, splits = corpus
    total = discontinuous = overlapping = 0
    for docs in splits.values():
        for _, entities, _ in docs.values():
            total += len(entities)
            discontinuous += sum(len(spans) > 1 for _, _, spans, _ in entities)
            for i, (_, _, a, _) in enumerate(entities):
                for _, _, b, _ in entities[i + 1 :]:
                    overlapping += any(s < f and t < e for s, e in a for t, f in b)
    assert 0.003 <= discontinuous / total <= 0.03
    assert overlapping >= 10
    assert summary["discontinuous_entities"] == discontinuous


def test_brat_reader_reads_the_corpus_without_errors(corpus):
    brat = pytest.importorskip("clinical_ner.data.brat")
    report_module = pytest.importorskip("clinical_ner.data.report")
    out, summary, splits = corpus
    for split, docs in splits.items():
        report = report_module.CorpusReport(source=split)
        documents = brat.read_corpus(out / split, None, report)
        assert [d.doc_id for d in documents] == sorted(docs)
        assert report.warnings == []
        assert report.entities_read == sum(len(e) for _, e, _ in docs.values())
        assert report.entities_read == summary["splits"][split]["entities_total"]
        for document in documents:
            text, entities, _ = docs[document.doc_id]
            assert document.text == text
            assert {(e.label, e.spans) for e in document.entities} == {(label, tuple(map(tuple, s))) for _, label, s, _ in entities}
