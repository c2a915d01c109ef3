"""Seeded generator of synthetic, n2c2-2018-track-2-like discharge letters in BRAT standoff format.

`generate_corpus(out_dir, n_train_docs, n_test_docs, seed)` writes `out_dir/train/` and `out_dir/test/`
(`synth-train-0001.txt` + `.ann`, ...) and returns a summary. The output depends only on the arguments
(byte-identical for the same seed); every document has its own `random.Random` seeded from
`(seed, split, index)`, so documents do not depend on each other.

Content: the nine n2c2-2018 entity types (ADE, Dosage, Drug, Duration, Form, Frequency, Reason, Route,
Strength) in medication-list lines of many formats (~30 templates, varied numbering, ordering,
abbreviations and spacing) and in narrative sentences where the same condition is a Reason ("started
for hyperkalemia") or an ADE ("hyperkalemia secondary to spironolactone") by context only; n2c2-style
relations (`Strength-Drug`, `Reason-Drug`, `ADE-Drug`, ...); about 1% discontinuous entities and a few
nested/overlapping ones (`heparin-induced thrombocytopenia`: Drug inside ADE; `swelling of the lips and
tongue`: two overlapping ADEs, one discontinuous). Plain narrative (history, exam, vitals, labs, dates,
de-identification placeholders, negated symptoms, distractor numbers) makes about 75% of the sentences
entity-free, the n2c2 ratio; each letter has roughly 25-50 sentences.

Generalisation: test letters also draw drugs and conditions that never occur in training letters
(`synthetic_lexicon`: drugs with `held_out=True`, `HELD_OUT_CONDITIONS`).

Sentences are counted with the data layer's splitter (`data.tokenization.sentence_spans`), so the
plain fraction aimed at and reported is that of the sentences the pipeline reads. The `.ann` files are
written with the data layer's BRAT writer (`data.brat.format_ann`).
Modules: `letter` (lines, fragments, spans), `drugs` (lexicon per split, slot values, template filling),
`templates`, `writer` (one letter's sections and balancing), `lexicon` (word lists); this module is the
public API.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinical_ner.corpus.drugs import held_out_drug_names, split_lexicon
from clinical_ner.corpus.letter import render_line, sentence_counts
from clinical_ner.corpus.lexicon import HELD_OUT_CONDITIONS
from clinical_ner.corpus.presets import PRESETS, Preset
from clinical_ner.corpus.writer import LetterWriter
from clinical_ner.data.brat import format_ann
from clinical_ner.data.records import Entity, Relation
from clinical_ner.labels import ENTITY_TYPES

TARGET_PLAIN_FRACTION = 0.75
SPLITS = ("train", "test")



@dataclass
class SyntheticLetter:
    doc_id: str
    text: str
    entities: list[Entity]
    relations: list[Relation]
    templates: set[int]

    def ann(self) -> str:
        return format_ann(self.entities, relations=self.relations)


def generate_letter(
    rng: random.Random, doc_index: int, split: str = "train", doc_id: str | None = None, preset: str = "default"
) -> SyntheticLetter:
    """One synthetic discharge letter: text (LF, ends with a newline), entities sorted (T1...), relations."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    letter = LetterWriter(rng, split_lexicon(split), _preset(preset).shape(split)).build()
    pieces, pos, raw = [], 0, []
    for frags in letter.lines:
        text, _ = render_line(frags, pos, assign=True)
        pieces.append(text)
        pos += len(text) + 1
        raw.extend(e for f in frags for e in f.ents)
    text = "\n".join(pieces) + "\n"
    raw.sort(key=lambda e: (e.absolute[0][0], -e.absolute[-1][1], e.label, e.absolute))
    ids: dict[int, str] = {}
    entities: list[Entity] = []
    for number, ent in enumerate(raw, start=1):
        ids[id(ent)] = f"T{number}"
        entities.append(Entity(f"T{number}", ent.label, ent.absolute, " ".join(text[s:e] for s, e in ent.absolute)))
    pairs = sorted({(int(ids[id(d)][1:]), int(ids[id(a)][1:]), a.label) for a, d in letter.relations})
    relations = [
        Relation(f"R{i}", f"{label}-Drug", f"T{attr}", f"T{drug}") for i, (drug, attr, label) in enumerate(pairs, start=1)
    ]
    return SyntheticLetter(doc_id or f"synth-{split}-{doc_index:04d}", text, entities, relations, letter.templates)


def _split_stats(letters: Sequence[SyntheticLetter]) -> dict[str, Any]:
    sentences = plain = 0
    types: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    discontinuous = overlapping = 0
    drugs: set[str] = set()
    templates: set[int] = set()
    for letter in letters:
        total, free = sentence_counts(letter.text, (e.spans for e in letter.entities))
        sentences += total
        plain += free
        types.update(e.label for e in letter.entities)
        relations.update(r[1] for r in letter.relations)
        discontinuous += sum(len(e.spans) > 1 for e in letter.entities)
        ordered = sorted(letter.entities, key=lambda e: (e.start, e.end))
        reach = -1
        for entity in ordered:
            overlapping += entity.start < reach
            reach = max(reach, entity.end)
        drugs.update(e.text.lower() for e in letter.entities if e.label == "Drug")
        templates |= letter.templates
    return {
        "docs": len(letters),
        "sentences": sentences,
        "plain_sentences": plain,
        "plain_sentence_fraction": round(plain / sentences, 4) if sentences else 0.0,
        "entities": {t: types.get(t, 0) for t in ENTITY_TYPES},
        "entities_total": sum(types.values()),
        "relations": dict(sorted(relations.items())),
        "discontinuous_entities": discontinuous,
        "overlapping_entities": overlapping,
        "distinct_drug_strings": len(drugs),
        "medication_templates_used": len(templates),
    }


def _preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown corpus preset {name!r}; known: {sorted(PRESETS)}")
    return PRESETS[name]


def generate_corpus(
    out_dir: str | Path | None,
    n_train_docs: int | None = None,
    n_test_docs: int | None = None,
    seed: int = 13,
    folders: Mapping[str, str | Path] | None = None,
    preset: str = "default",
) -> dict[str, Any]:
    """Write `out_dir/train/*.txt|.ann` and `out_dir/test/*.txt|.ann` (or the `folders` given for `train`
    and `test`); return the corpus statistics.

    `preset` (`presets.PRESETS`: `default`, `n2c2`) sets the letters' shape and, unless given, the number
    of letters. Earlier `synth-*` files in those folders are removed first, so the folders hold exactly
    this corpus.
    """
    sizes = _preset(preset)
    n_train_docs = sizes.train_docs if n_train_docs is None else n_train_docs
    n_test_docs = sizes.test_docs if n_test_docs is None else n_test_docs
    if n_train_docs < 0 or n_test_docs < 0:
        raise ValueError("document counts must not be negative")
    if folders is None:
        if out_dir is None:
            raise ValueError("give out_dir or folders")
        folders = {split: Path(out_dir) / split for split in ("train", "test")}
    summary: dict[str, Any] = {"seed": seed, "preset": preset, "target_plain_fraction": TARGET_PLAIN_FRACTION}
    per_split: dict[str, Any] = {}
    all_letters: list[SyntheticLetter] = []
    for split, count in (("train", n_train_docs), ("test", n_test_docs)):
        folder = Path(folders[split])
        folder.mkdir(parents=True, exist_ok=True)
        for old in sorted(folder.glob(f"synth-{split}-*")):
            if old.suffix in (".txt", ".ann"):
                old.unlink()
        letters = []
        for index in range(1, count + 1):
            rng = random.Random(f"clinical-ner-synthetic:{seed}:{split}:{index}")
            letter = generate_letter(rng, index, split, preset=preset)
            (folder / f"{letter.doc_id}.txt").write_text(letter.text, encoding="utf-8", newline="\n")
            (folder / f"{letter.doc_id}.ann").write_text(letter.ann(), encoding="utf-8", newline="\n")
            letters.append(letter)
        per_split[split] = _split_stats(letters)
        all_letters += letters
    overall = _split_stats(all_letters)
    overall.pop("docs")
    summary["docs"] = {split: per_split[split]["docs"] for split in per_split} | {"total": len(all_letters)}
    summary.update(overall)
    summary["splits"] = per_split
    summary["held_out"] = {
        "drugs": held_out_drug_names(),
        "conditions": sorted(HELD_OUT_CONDITIONS),
        "note": "used only in test letters (about 20% of test drug draws); never in train",
    }
    return summary
