"""Sentence and token offsets, the kept-entity rule, IOB2 encoding and decoding."""

from __future__ import annotations

import random

import pytest

from clinical_ner.data.bio import (
    decode_sentences,
    decode_tags,
    encode_corpus,
    encode_document,
    kept_entities,
    text_to_sentences,
)
from clinical_ner.data.records import Document, Entity
from clinical_ner.data.report import CorpusReport
from clinical_ner.data.tokenization import sentence_spans, token_spans


def sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def tokens_of(text: str, boundaries=frozenset()) -> list[str]:
    return [text[s:e] for s, e in token_spans(text, 0, len(text), boundaries)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One.\nTwo\r\n\r\nThree  \r  Four", ["One.", "Two", "Three", "Four"]),
        (
            "Seen today. Pain resolved! Fever? 2 doses given.",
            ["Seen today.", "Pain resolved!", "Fever?", "2 doses given."],
        ),
        ("Seen by Dr. Smith today. Stable.", ["Seen by Dr. Smith today.", "Stable."]),
        ("Aspirin 81 mg p.o. Daily b.i.d. Then q.d. Ok.", ["Aspirin 81 mg p.o. Daily b.i.d. Then q.d. Ok."]),
        (
            "Use e.g. Tylenol, i.e. Acetaminophen 500 mg. Twice daily.",
            ["Use e.g. Tylenol, i.e. Acetaminophen 500 mg. Twice daily."],
        ),
        ("Pain etc. But stable. Then no split. here", ["Pain etc. But stable.", "Then no split. here"]),
        ("1. Aspirin daily. 2. Lisinopril.", ["1. Aspirin daily.", "2. Lisinopril."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("   \n\n  ", []),
        ("", []),
    ],
)
def test_sentence_spans(text, expected):
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Took 2.5 mg, then 1,000 units.", ["Took", "2.5", "mg", ",", "then", "1,000", "units", "."]),
        (
            "Paget's azithromycin-induced 5mg B12 q6h",
            ["Paget's", "azithromycin", "-", "induced", "5", "mg", "B12", "q6h"],
        ),
        ("p.o. b.i.d. (x2) 10/20", ["p.o.", "b.i.d.", "(", "x2", ")", "10", "/", "20"]),
        (
            "don't patients' \u00e9t\u00e9 \u2014 \u00b0C",
            ["don't", "patients", "'", "\u00e9t\u00e9", "\u2014", "\u00b0", "C"],
        ),
    ],
)
def test_token_spans(text, expected):
    assert tokens_of(text) == expected


def test_token_spans_split_at_boundaries_within_a_window():
    text = "xx azithromycin-induced 2.5mg yy"
    start, end = 3, 29
    spans = token_spans(text, start, end, frozenset({3, 7, 15, 16, 25, 27, 0, 30}))
    assert [text[s:e] for s, e in spans] == ["azit", "hromycin", "-", "induced", "2", ".5", "mg"]
    assert spans[0] == (3, 7)


ALPHABET = "abcXYZ019 .,;:-'?!()/\n\r\t\u00e9\u00b5\u2019" + "  "


def random_text(rng: random.Random, n: int) -> str:
    words = ["Dr.", "p.o.", "mg.", "e.g.", "2.5", "1,000", "Aspirin", "I", "J."]
    parts = []
    while sum(map(len, parts)) < n:
        parts.append(rng.choice(words) if rng.random() < 0.2 else rng.choice(ALPHABET))
    return "".join(parts)


@pytest.mark.parametrize("seed", range(40))
def test_offsets_exact_on_random_text(seed):
    rng = random.Random(seed)
    text = random_text(rng, rng.randint(0, 300))
    sentences = sentence_spans(text)
    covered = set()
    previous_end = 0
    for start, end in sentences:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert text[previous_end:start].strip() == ""
        boundaries = frozenset(rng.randrange(len(text) + 1) for _ in range(5))
        tokens = token_spans(text, start, end, boundaries)
        token_end = start
        for s, e in tokens:
            assert token_end <= s < e <= end
            assert text[token_end:s].strip() == ""
            assert not any(c.isspace() for c in text[s:e])
            assert not any(s < b < e for b in boundaries)
            covered.update(range(s, e))
            token_end = e
        assert text[token_end:end].strip() == ""
        previous_end = end
    assert covered == {i for i, c in enumerate(text) if not c.isspace()}
    assert sentence_spans(text) == sentences


def E(ann_id, label, *spans, text=""):
    return Entity(ann_id, label, tuple(spans), text)


OVERLAP_TEXT = "Aspirin 81 mg daily for chest pain and  rash .\nStopped on day 3."


def overlap_doc() -> Document:
    t = OVERLAP_TEXT
    a, c, r = t.index("Aspirin"), t.index("chest"), t.index("rash")
    return Document(
        "d1",
        t,
        [
            E("T1", "Drug", (a, a + 7)),
            E("T2", "Strength", (a + 8, a + 13)),
            E("T3", "Dosage", (a, a + 13)),  # longest, wins over T1 and T2
            E("T4", "Reason", (c, c + 10)),
            E("T5", "ADE", (c, c + 10)),  # same span: ADE before Reason in ENTITY_TYPES
            E("T6", "ADE", (c, c + 10)),  # exact duplicate of T5
            E("T7", "ADE", (c - 5, c - 1), (r - 1, r + 5)),  # discontinuous; both fragments trimmed
            E("T8", "Zeta", (t.index("daily"), t.index("daily") + 5)),
            E("T9", "Alpha", (t.index("daily"), t.index("daily") + 5)),  # unknown labels: alphabetical
            E("T10", "Frequency", (r + 4, r + 5)),  # whitespace-only
            E("T11", "Duration", (t.index("day 3"), t.index("day 3") + 5)),
            E("T12", "ADE", (c + 6, c + 10)),  # nested in T5
        ],
    )


def test_kept_entities_rule():
    report = CorpusReport()
    report.entities_read = report.entities_mapped = 12
    doc = overlap_doc()
    kept = kept_entities(doc, report)
    t = doc.text
    assert [(e.id, e.label, t[e.start : e.end]) for e in kept] == [
        ("T3", "Dosage", "Aspirin 81 mg"),
        ("T9", "Alpha", "daily"),
        ("T7_1", "ADE", "for"),
        ("T5", "ADE", "chest pain"),
        ("T7_2", "ADE", "rash"),
        ("T11", "Duration", "day 3"),
    ]
    assert all(len(e.spans) == 1 and e.text == t[e.start : e.end] for e in kept)
    assert report.discontinuous_split == 1 and report.fragments_added == 1
    assert report.trimmed == 2
    assert report.duplicates == 1
    assert report.dropped["whitespace_only"] == {"Frequency": 1}
    assert report.dropped["overlap"] == {"Drug": 1, "Strength": 1, "Reason": 1, "ADE": 1, "Zeta": 1}
    assert report.entities_kept == 6
    assert report.consistency_errors() == []


def test_longer_span_wins_even_when_it_starts_later():
    doc = Document("d", "abcdefgh", [E("T1", "Drug", (0, 3)), E("T2", "ADE", (2, 8)), E("T3", "Drug", (0, 2))])
    assert [(e.id, e.spans) for e in kept_entities(doc)] == [("T3", ((0, 2),)), ("T2", ((2, 8),))]


def test_overlap_ties_broken_by_start_then_natural_id():
    text = "abcdefgh"
    doc = Document("d", text, [E("T10", "Drug", (2, 6)), E("T2", "Drug", (0, 4)), E("T9", "Drug", (0, 4))])
    kept = kept_entities(doc)
    assert [(e.id, e.spans) for e in kept] == [("T2", ((0, 4),))]


def test_encode_tags_and_round_trip():
    doc = overlap_doc()
    report = CorpusReport()
    sentences = encode_document(doc, report)
    first = sentences[0]
    assert first.tokens == ["Aspirin", "81", "mg", "daily", "for", "chest", "pain", "and", "rash", "."]
    assert first.tags == [
        "B-Dosage", "I-Dosage", "I-Dosage", "B-Alpha", "B-ADE", "B-ADE", "I-ADE", "O", "B-ADE", "O",
    ]
    assert [doc.text[s:e] for s, e in first.offsets] == first.tokens
    assert [s.index for s in sentences] == [0, 1]
    assert sentences[1].tags == ["O", "O", "B-Duration", "I-Duration", "O"]
    decoded = decode_sentences(doc.doc_id, doc.text, sentences)
    assert [e.key() for e in decoded] == [e.key() for e in kept_entities(doc)]
    assert [e.id for e in decoded] == ["T1", "T2", "T3", "T4", "T5", "T6"]
    assert report.sentences == 2 and report.tokens == sum(len(s.tokens) for s in sentences)


def test_entity_crossing_sentences_merges_them_and_adjacent_entities_get_b():
    text = "Took Dr. Xu. Aspirin. Then rash. Done."
    assert sentences_of(text)[:2] == ["Took Dr. Xu.", "Aspirin."]
    x, a, r = text.index("Xu"), text.index("Aspirin"), text.index("rash")
    entities = [E("T1", "Drug", (x, a + 7)), E("T2", "Drug", (a + 7, a + 8)), E("T3", "ADE", (r, r + 4))]
    doc = Document("d", text, entities)
    report = CorpusReport()
    sentences = encode_document(doc, report)
    spans = [text[s.offsets[0][0] : s.offsets[-1][1]] for s in sentences]
    assert spans == ["Took Dr. Xu. Aspirin.", "Then rash.", "Done."]
    assert report.sentence_boundaries_merged == 1
    assert sentences[0].tags == ["O", "O", "O", "B-Drug", "I-Drug", "I-Drug", "B-Drug"]
    assert [e.key() for e in decode_sentences("d", text, sentences)] == [e.key() for e in kept_entities(doc)]


def test_entity_inside_a_word_splits_the_token():
    text = "azithromycin-induced ototoxicity"
    doc = Document("d", text, [E("T1", "Drug", (0, 5)), E("T2", "ADE", (21, 32))])
    report = CorpusReport()
    (sentence,) = encode_document(doc, report)
    assert sentence.tokens == ["azith", "romycin", "-", "induced", "ototoxicity"]
    assert sentence.tags == ["B-Drug", "O", "O", "O", "B-ADE"]
    assert report.tokens_cut_at_entity_boundaries == 1  # "azithromycin" (ototoxicity is a whole token)
    assert report.to_dict()["tokens_cut_at_entity_boundaries"] == 1
    assert report.merge(report).tokens_cut_at_entity_boundaries == 2


@pytest.mark.parametrize("seed", range(30))
def test_round_trip_on_random_documents(seed):
    rng = random.Random(1000 + seed)
    text = random_text(rng, rng.randint(1, 250))
    labels = ["Drug", "ADE", "Dosage", "Other"]
    entities = []
    for k in range(rng.randint(0, 12)):
        spans = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            s = rng.randrange(len(text))
            spans.append((s, min(len(text), s + rng.randint(1, 20))))
        entities.append(Entity(f"T{k + 1}", rng.choice(labels), tuple(sorted(spans)), ""))
    doc = Document("r", text, entities)
    report = CorpusReport()
    report.entities_read = report.entities_mapped = len(entities)
    sentences = encode_document(doc, report)
    for sentence in sentences:
        assert [text[s:e] for s, e in sentence.offsets] == sentence.tokens
    assert [e.key() for e in decode_sentences("r", text, sentences)] == [e.key() for e in kept_entities(doc)]
    assert report.consistency_errors() == []


def test_decode_is_conlleval_style():
    text = "a b c d e f"
    offsets = [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9), (10, 11)]
    tags = ["I-Drug", "I-Drug", "I-ADE", "O", "B-ADE", "B-ADE"]
    entities = decode_tags("d", text, offsets, tags)
    assert [(e.id, e.label, e.spans, e.text) for e in entities] == [
        ("T1", "Drug", ((0, 3),), "a b"),
        ("T2", "ADE", ((4, 5),), "c"),
        ("T3", "ADE", ((8, 9),), "e"),
        ("T4", "ADE", ((10, 11),), "f"),
    ]


@pytest.mark.parametrize(("tags", "message"), [(["O"], "1 tags"), (["O", "X-Drug"], "X-Drug"), (["O", "B-"], "B-")])
def test_decode_rejects_bad_input(tags, message):
    with pytest.raises(ValueError, match=message):
        decode_tags("d", "a b", [(0, 1), (2, 3)], tags)


def test_text_to_sentences_all_outside():
    text = "Aspirin 81 mg.\r\nNo rash."
    sentences = text_to_sentences("raw", text)
    assert [s.tokens for s in sentences] == [["Aspirin", "81", "mg", "."], ["No", "rash", "."]]
    assert all(tag == "O" for s in sentences for tag in s.tags)
    assert all(text[a:b] == tok for s in sentences for tok, (a, b) in zip(s.tokens, s.offsets))
    assert [s.index for s in sentences] == [0, 1]


def test_encode_corpus_concatenates_documents():
    docs = [Document("a", "One. Two.", []), Document("b", "Three.", [E("T1", "Drug", (0, 5))])]
    report = CorpusReport()
    sentences = encode_corpus(docs, report)
    assert [(s.doc_id, s.index) for s in sentences] == [("a", 0), ("a", 1), ("b", 0)]
    assert report.sentences == 3 and report.entities_kept == 1
