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

Sentences are counted with the simple rule of `split_sentences` (lines, then `. ` followed by a capital).
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from clinical_ner.corpus.lexicon import (
    CLASSES,
    COMPLAINTS,
    CONSULTS,
    DRUGS,
    DURATIONS,
    FORMS,
    FREQ_ABBR,
    FREQ_ONCE,
    FREQ_SIG,
    FREQ_SIG_PRN,
    FREQ_WORDS,
    HELD_OUT_CONDITIONS,
    INDUCED,
    NON_DRUG_CAUSES,
    NUMBER_WORDS,
    PLAIN_CONDITIONS,
    PRN_WORDS,
    ROUTES,
    SERVICES,
    SWELLING_PAIRS,
    DrugInfo,
)
from clinical_ner.data.records import Entity
from clinical_ner.labels import ENTITY_TYPES

Span = tuple[int, int]
Relation = tuple[str, str, str, str]  # (id, type, Arg1 entity id, Arg2 entity id)

TARGET_PLAIN_FRACTION = 0.75
SPLITS = ("train", "test")
HELD_OUT_DRUG_PROBABILITY = 0.2  # test letters: chance that a drug is drawn from the held-out list


# ---------------------------------------------------------------------------------------------------
# sentence splitting used for the plain-sentence statistics

_BOUNDARY = re.compile(r"\.\s+(?=[A-Z])")


def split_sentences(text: str) -> list[Span]:
    """Sentence spans by the simple rule: every line, then split after `.` + whitespace + capital."""
    spans: list[Span] = []
    offset = 0
    for line in text.split("\n"):
        start = 0
        cuts = [m.start() + 1 for m in _BOUNDARY.finditer(line)] + [len(line)]
        for cut in cuts:
            piece = line[start:cut]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                spans.append((offset + start + lead, offset + start + lead + len(stripped)))
            start = cut
        offset += len(line) + 1
    return spans


def sentence_counts(text: str, spans: Iterable[Sequence[Span]]) -> tuple[int, int]:
    """(sentences, sentences without any entity) for `text` and the entities' span lists."""
    sentences = split_sentences(text)
    flat = sorted(s for entity in spans for s in entity)
    with_entity = 0
    for start, end in sentences:
        if any(s < end and e > start for s, e in flat):
            with_entity += 1
    return len(sentences), len(sentences) - with_entity


# ---------------------------------------------------------------------------------------------------
# text building blocks


class _Ent:
    __slots__ = ("absolute", "frag", "label", "spans")

    def __init__(self, label: str, spans: list[Span], frag: _Frag) -> None:
        self.label = label
        self.spans = spans
        self.frag = frag
        self.absolute: tuple[Span, ...] = ()


class _Frag:
    """A piece of one line (a sentence, or a whole line) with entities at offsets relative to it."""

    def __init__(self, text: str = "") -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.ents: list[_Ent] = []
        if text:
            self.lit(text)

    def lit(self, text: str) -> _Frag:
        self.parts.append(text)
        self.pos += len(text)
        return self

    def ent(self, label: str, text: str) -> _Ent:
        start = self.pos
        self.lit(text)
        return self.mark(label, [(start, self.pos)])

    def mark(self, label: str, spans: list[Span]) -> _Ent:
        entity = _Ent(label, sorted(spans), self)
        self.ents.append(entity)
        return entity

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _Letter:
    lines: list[list[_Frag]] = field(default_factory=list)
    relations: list[tuple[_Ent, _Ent]] = field(default_factory=list)  # (attribute, drug)
    fillable: list[int] = field(default_factory=list)  # paragraph lines that accept filler sentences
    templates: set[int] = field(default_factory=set)  # medication-line templates used
    pools: dict[int, tuple[str, ...]] = field(default_factory=dict)  # filler pool per fillable line
    year: int = 2150

    def add(self, *frags: _Frag | str, fillable: Sequence[str] = ()) -> int:
        self.lines.append([f if isinstance(f, _Frag) else _Frag(f) for f in frags])
        if fillable:
            self.fillable.append(len(self.lines) - 1)
            self.pools[len(self.lines) - 1] = tuple(fillable)
        return len(self.lines) - 1

    def blank(self) -> None:
        self.lines.append([])

    def line_counts(self, index: int) -> tuple[int, int]:
        """(entity sentences, plain sentences) of one line."""
        text, spans = _render_line(self.lines[index])
        total, plain = sentence_counts(text, spans)
        return total - plain, plain


def _render_line(frags: list[_Frag], base: int = 0, assign: bool = False) -> tuple[str, list[list[Span]]]:
    pieces, spans, pos = [], [], base
    for i, frag in enumerate(frags):
        if i:
            pieces.append(" ")
            pos += 1
        for entity in frag.ents:
            absolute = [(pos + s, pos + e) for s, e in entity.spans]
            spans.append(absolute)
            if assign:
                entity.absolute = tuple(absolute)
        text = frag.text
        pieces.append(text)
        pos += len(text)
    return "".join(pieces), spans


# ---------------------------------------------------------------------------------------------------
# lexicon view per split


@dataclass
class _Lexicon:
    split: str
    drugs: list[DrugInfo]
    held: list[DrugInfo]
    classes: list[DrugInfo]
    conditions: list[str]

    def drug(self, rng: random.Random, need: str = "") -> DrugInfo:
        for _ in range(50):
            pool = self.held if self.held and rng.random() < HELD_OUT_DRUG_PROBABILITY else self.drugs
            info = rng.choice(pool)
            if not need or getattr(info, need):
                return info
        return next(d for d in self.drugs if getattr(d, need))


def _clean(info: DrugInfo) -> DrugInfo:
    return replace(
        info,
        reasons=tuple(c for c in info.reasons if c not in HELD_OUT_CONDITIONS),
        ades=tuple(c for c in info.ades if c not in HELD_OUT_CONDITIONS),
    )


def _lexicon(split: str) -> _Lexicon:
    if split == "train":
        return _Lexicon(
            split,
            [_clean(d) for d in DRUGS if not d.held_out],
            [],
            [_clean(d) for d in CLASSES],
            [c for c in PLAIN_CONDITIONS if c not in HELD_OUT_CONDITIONS],
        )
    return _Lexicon(split, [d for d in DRUGS if not d.held_out], [d for d in DRUGS if d.held_out], list(CLASSES), list(PLAIN_CONDITIONS))


def held_out_drug_names() -> list[str]:
    """Generic and brand names that only test letters use."""
    return sorted({name for d in DRUGS if d.held_out for name in d.names + d.brands})


# ---------------------------------------------------------------------------------------------------
# slot values


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number_word(n: int) -> str:
    if n < len(NUMBER_WORDS):
        return NUMBER_WORDS[n]
    return {30: "Thirty", 40: "Forty", 25: "Twenty Five"}.get(n, str(n))


def _date(rng: random.Random, year: int | None = None) -> str:
    year = year or rng.randint(2100, 2190)
    return f"{year}-{rng.randint(1, 12)}-{rng.randint(1, 28)}"


class _Drug:
    """One drug occurrence: its lexicon entry, dosage-form kind and chosen names."""

    def __init__(self, rng: random.Random, info: DrugInfo, kind: str | None = None, brand_ok: bool = True) -> None:
        self.rng = rng
        self.info = info
        self.kind = kind or rng.choice(info.kinds)
        roll = rng.random()
        self.is_brand = bool(info.brands) and brand_ok and roll < 0.3 and self.kind != "class"
        if self.is_brand:
            name = rng.choice(info.brands)
            self.name = name.upper() if rng.random() < 0.05 else name
        else:
            name = rng.choice(info.names)
            style = rng.random()
            if self.kind == "class" or style < 0.45:
                self.name = name
            elif style < 0.93:
                self.name = name.title()
            else:
                self.name = name.upper()

    def supports(self, names: set[str]) -> bool:
        info = self.info
        if "strength" in names and not info.strengths:
            return False
        if names & {"reason", "Reason"} and not info.reasons:
            return False
        if names & {"ade", "Ade", "nested", "pair"} and not info.ades:
            return False
        if "brand" in names and not (info.brands and not self.is_brand) and not (self.is_brand and info.names):
            return False
        if "nested" in names and " " in self.info.names[0]:
            return False
        if self.kind == "class" and names - {"drug", "Drug", "reason", "Reason", "ade", "Ade", "route", "dur", "date", "pair"}:
            return False
        return True

    def value(self, name: str, style: str | None) -> tuple[str | None, str]:
        rng, info, kind = self.rng, self.info, self.kind
        if name in ("drug", "Drug"):
            return "Drug", _cap(self.name) if name == "Drug" else self.name
        if name == "brand":
            other = rng.choice(info.names) if self.is_brand else rng.choice(info.brands)
            return "Drug", other
        if name == "strength":
            value = rng.choice(info.strengths)
            if rng.random() < 0.3:
                value = re.sub(r"^([\d.,-]+) (mg|mcg|g|gram|mEq|units)$", r"\1\2", value)
            return "Strength", value
        if name == "form":
            forms, lower, _ = FORMS[kind]
            return "Form", rng.choice(lower if style == "low" else forms)
        if name == "unit":
            _, lower, units = FORMS[kind]
            if style == "low":
                return "Form", rng.choice(lower) if units != ("",) else ""
            return "Form", rng.choice(units)
        if name == "dose":
            return "Dosage", self._dose(style or "num")
        if name == "route":
            sig, abbr, words = ROUTES[kind]
            return "Route", rng.choice({"sig": sig, "words": words}.get(style or "", abbr))
        if name == "freq":
            pools = {"sig": FREQ_SIG, "sigprn": FREQ_SIG_PRN, "words": FREQ_WORDS, "once": FREQ_ONCE, "prn": PRN_WORDS}
            return "Frequency", rng.choice(pools.get(style or "", FREQ_ABBR))
        if name == "dur":
            return "Duration", rng.choice(DURATIONS)
        if name in ("reason", "Reason"):
            value = rng.choice(info.reasons)
            return "Reason", _cap(value) if name == "Reason" else value
        if name in ("ade", "Ade"):
            value = rng.choice(info.ades)
            return "ADE", _cap(value) if name == "Ade" else value
        raise KeyError(name)

    def _dose(self, style: str) -> str:
        rng, kind = self.rng, self.kind
        if kind == "insulin":
            n = rng.choice((2, 4, 6, 8, 10, 12, 15, 20, 25, 30))
            return {"sig": f"{_number_word(n)} ({n}) units", "word": f"{n} units"}.get(style, f"{n} {rng.choice(('units', 'Units', 'u'))}")
        if kind in ("liq", "powder"):
            n = rng.choice((5, 10, 15, 30)) if kind == "liq" else 17
            unit = "gram" if kind == "powder" else rng.choice(("ML", "mL", "ml"))
            return f"{_number_word(n)} ({n}) {unit}" if style == "sig" else f"{n} {unit}"
        if style == "sig":
            n = rng.choice((1, 1, 1, 1, 2, 2, 3, 0))
            if n == 0:
                return rng.choice(("One (1)-Two (2)", "1-2", "Half (1/2)"))
            return f"{_number_word(n)} ({n})"
        if style == "word":
            return rng.choice(("one", "two", "one", "1-2", "half a", "three"))
        if style == "narr":
            unit = {
                "inh": ("puffs", "puffs"), "neb": ("nebs", "nebulizers"), "iv": ("amp", "amps"),
                "sc": ("units", "units"), "cap": ("capsule", "capsules"), "eye": ("drop", "drops"),
            }.get(kind, ("tab", "tablets"))
            n = rng.choice((1, 2, 2, 3))
            count = rng.choice((str(n), NUMBER_WORDS[n].lower()))
            return f"{count} {unit[0] if n == 1 else unit[1]}"
        return rng.choice(("1", "2", "1", "1-2", "0.5", "1/2", "2", "3"))


_PLACEHOLDER = re.compile(r"\{(\w+?)(2)?(?::(\w+))?\}")
_PLAIN_SLOTS = {
    "n30": lambda rng: rng.choice(("30", "60", "90", "14", "20", "28", "100")),
    "refills": lambda rng: rng.choice(("0", "0", "1", "2", "3", "5")),
    "hold": lambda rng: rng.choice(("SBP < 100", "HR < 60", "SBP<90 or HR<55", "RR < 12", "sedation")),
}


def _fill(frag: _Frag, template: str, drugs: Sequence[_Drug], letter: _Letter) -> None:
    """Write `template` into `frag`; placeholders become entities related to their drug (`{x2}`: 2nd drug)."""
    rng = drugs[0].rng
    pos = 0
    drop_space = False
    drug_ents: dict[int, _Ent] = {}
    attributes: list[tuple[int, _Ent]] = []
    pending: dict[int, Span] = {}
    for match in _PLACEHOLDER.finditer(template):
        literal = template[pos : match.start()]
        if drop_space and literal.startswith(" "):
            literal = literal[1:]
        drop_space = False
        frag.lit(literal)
        pos = match.end()
        name, second, style = match.groups()
        which = 1 if second else 0
        drug = drugs[min(which, len(drugs) - 1)]
        if name == "date":
            frag.lit(f"[**{_date(rng, letter.year)}**]")
            continue
        if name == "disp":  # dispensed quantity unit: never an entity
            frag.lit(next((u for u in FORMS[drug.kind][2] if u), "Tablet"))
            continue
        if name in _PLAIN_SLOTS:
            frag.lit(_PLAIN_SLOTS[name](rng))
            continue
        if name == "nested":  # Drug nested inside an ADE: "heparin-induced thrombocytopenia"
            start = frag.pos
            drug_ents[which] = frag.ent("Drug", drug.info.names[0])
            frag.lit(rng.choice(INDUCED) + " ")
            frag.lit(rng.choice(drug.info.ades))
            attributes.append((which, frag.mark("ADE", [(start, frag.pos)])))
            continue
        if name == "pair":  # overlapping ADEs, one discontinuous: "swelling of the lips and tongue"
            head, first, other = rng.choice(SWELLING_PAIRS)
            start = frag.pos
            frag.lit(head)
            head_end = frag.pos
            frag.lit(" " + first)
            attributes.append((which, frag.mark("ADE", [(start, frag.pos)])))
            frag.lit(" and ")
            b_start = frag.pos
            frag.lit(other)
            attributes.append((which, frag.mark("ADE", [(start, head_end), (b_start, frag.pos)])))
            continue
        if name in ("freqA", "freqB"):  # discontinuous Frequency around a route: "Q6H PO PRN"
            if name == "freqA":
                start = frag.pos
                frag.lit(rng.choice(("Q6H", "q4h", "Q8H", "q6h", "BID", "QHS", "TID")))
                pending[which] = (start, frag.pos)
            else:
                start = frag.pos
                frag.lit(rng.choice(("prn", "p.r.n.", "as needed")))  # lower case: "p.o. PRN" would end a sentence
                attributes.append((which, frag.mark("Frequency", [pending.pop(which), (start, frag.pos)])))
            continue
        label, value = drug.value(name, style)
        if not value:
            drop_space = True
            continue
        entity = frag.ent(label, value)
        if label == "Drug":
            if name != "brand":
                drug_ents.setdefault(which, entity)
        else:
            attributes.append((which, entity))
    frag.lit(template[pos:])
    for which, entity in attributes:
        target = drug_ents.get(which) or drug_ents.get(0)
        if target is not None:
            letter.relations.append((entity, target))


def _names(template: str) -> set[str]:
    return {m.group(1) for m in _PLACEHOLDER.finditer(template)} - {"He", "he", "His", "his"}


def _choose(rng: random.Random, templates: Sequence[str], drug: _Drug) -> int:
    order = list(range(len(templates)))
    rng.shuffle(order)
    for index in order:
        if drug.supports(_names(templates[index])):
            return index
    raise ValueError(f"no template fits {drug.info.names[0]}")


# ---------------------------------------------------------------------------------------------------
# templates

MED_TEMPLATES: tuple[str, ...] = (
    "{Drug} {strength} {form} Sig: {dose:sig} {unit:sig} {route:sig} {freq:sig}.",
    "{Drug} {strength} {form} Sig: {dose:sig} {unit:sig} {route:sig} {freq:sig}.",
    "{Drug} {strength} {form} Sig: {dose:sig} {unit:sig} {route:sig} {freq:sig}. Disp:*{n30} {disp}(s)* Refills:*{refills}*",
    "{Drug} {strength} {form} Sig: {dose:sig} {unit:sig} {route:sig} {freq:sigprn} for {reason}.",
    "{Drug} {strength} {form} Sig: {dose:sig} {unit:sig} {route:sig} {freq:sigprn}.",
    "{Drug} {strength} {form} Sig: {dose:sig} {unit:sig} {route:sig} {freq:sig} {dur}.",
    "{Drug} {strength} {form} Sig: {dose:sig} {unit:sig} {route:sig} {freq:sig} {dur}. Disp:*{n30} {disp}(s)* Refills:*0*",
    "{drug} {strength} {route} {freq}",
    "{Drug} {strength} {route} {freq}",
    "{drug} {strength} {route:words} {freq:words} {dur}",
    "{drug} {strength} {route} {freq} {freq:prn} {reason}",
    "{drug} {dose} {unit:low} ({strength}) {route} {freq}",
    "{Drug} ({brand}) {strength} {route} {freq}",
    "{drug} {strength} {freq}",
    "{Drug} {strength} {form:low} {dose} {unit:low} {route} {freq} {dur}",
    "{Drug}: {strength} {route} {freq:words}",
    "{Drug} - {strength} {form:low} - take {dose:word} {unit:low} {route:words} {freq:words}",
    "{drug} {strength} {route} {freq} for {reason} {dur}",
    "{route} {drug} {strength} {freq}",
    "{Drug} {strength} {route} {freq} (started {date} for {reason})",
    "{drug} {dose} {unit:low} {route} {freq} prn {reason}",
    "{Drug}, {strength}, {route}, {freq}",
    "{Drug}",
    "{drug} {strength}",
    "{Drug} {strength} {form:low} {freq:words}",
    "{Drug} {strength} {freqA} {route} {freqB} {reason}",
    "{Drug} {strength} {form} {freqA} {route:sig} {freqB} for {reason}",
    "{drug} {strength} {route} {freq}; hold for {hold}",
    "{Drug} {strength} {route} {freq}, last dose {date}",
    "{Drug} {strength} {route:words} {freq:words} as needed for {reason}",
    "{Drug} {dose:word} {unit:low} {route:words} {freq:words}",
    "{Drug} {strength} {route} {freq} (home dose)",
    "{Drug} {strength}  {route}  {freq}",
    "{drug} {strength} {route} {freq} {dur} then stop",
)

REASON_TEMPLATES: tuple[str, ...] = (
    "{Drug} was started for {reason}.",
    "{He} was treated with {drug} {strength} {route} {freq} for {reason}.",
    "{He} was given {dose:narr} of {drug} for {reason}.",
    "For {reason}, {he} received {drug} {route:words}.",
    "{Reason} was managed with {drug}.",
    "{Reason} was treated with {route} {drug} with good effect.",
    "{He} was started on {drug} {strength} {freq:words} for {reason}.",
    "{He} was started on {drug} {dur} for {reason}.",
    "{Drug} was continued for {reason}.",
    "Given ongoing {reason}, {drug} was increased to {strength} {freq}.",
    "{He} received {drug} {strength} {route} {freq:once} for {reason} in the ED.",
    "{Drug} {strength} {route} was given for {reason}.",
    "{His} {reason} improved on {drug}.",
    "{Drug} was restarted for {reason} prior to discharge.",
    "{Drug} will be continued {dur} for {reason}.",
    "{He} was recently started on {drug} by {his} PCP for {reason}.",
    "{His} {reason} was controlled with {drug} {strength} {freq}.",
    "{He} takes {drug} {freq:words} for {reason} at home.",
    "{Drug} was added for better control of {his} {reason}.",
    "{He} required {dose:narr} of {drug} overnight for {reason}.",
    "We started {drug} for {reason}.",
    "Please take {drug} {strength} {freq:words} {dur} for {reason}.",
)
ADE_TEMPLATES: tuple[str, ...] = (
    "{He} developed {ade} on {drug}, which was discontinued.",
    "Hospital course was complicated by {ade} attributed to {drug}.",
    "{His} course was complicated by {ade} secondary to {drug}.",
    "{Ade} secondary to {drug}.",
    "{Drug} was held due to {ade}.",
    "{Drug} was stopped given concern for {ade}.",
    "{He} reports {ade} with {drug} in the past.",
    "{He} was noted to have {ade}, likely from {drug}, so it was discontinued.",
    "{His} {drug} was decreased to {strength} because of {ade}.",
    "{Drug} was discontinued after {he} developed {ade}.",
    "Of note, {drug} caused {ade} during a prior admission.",
    "{Ade} was thought to be related to {drug} and resolved after it was stopped.",
    "{He} developed {ade} after receiving {drug} {strength} {route}.",
    "{Drug} was not restarted given {ade}.",
    "{Ade} was attributed to {his} {drug}, which was held.",
    "Please do not take {drug} as it caused {ade}.",
    "We stopped your {drug} because of {ade}.",
)
MIXED_TEMPLATES: tuple[str, ...] = (
    "{Drug} was started for {reason}; however, {he} developed {ade} and it was changed to {drug2}.",
    "{Reason2} was treated with {drug2}, complicated by {ade} from {drug}.",
    "{Drug} for {reason} was held because of {ade}.",
    "{He} was switched from {drug} to {drug2} for {reason2} after developing {ade}.",
)
NESTED_TEMPLATES: tuple[str, ...] = (
    "Course was notable for {nested}.",
    "{He} was diagnosed with {nested} and the drug was stopped.",
    "Concern for {nested}, resolved after discontinuation.",
)
PAIR_TEMPLATES: tuple[str, ...] = (
    "{He} developed {pair} after {drug} was given.",
    "Shortly after {drug} {he} noted {pair}.",
)
ALLERGY_TEMPLATES: tuple[str, ...] = ("{Drug} ({ade})", "{Drug} -> {ade}", "{Drug}: {ade}", "{Drug} / {Drug2}", "{Drug}")

FILLERS: tuple[str, ...] = (
    "{He} denies {c1}, {c2}, or {c3}.",
    "No history of {c1}.",
    "{His} {c1} was felt to be due to {cause}.",
    "{C1} resolved with supportive care.",
    "{He} was seen by the {consult} service.",
    "Blood cultures from [**{date}**] showed no growth to date.",
    "{He} remained hemodynamically stable throughout the admission.",
    "On the day of discharge, {he} was ambulating independently and tolerating a regular diet.",
    "Echocardiogram showed an EF of {ef}% with mild MR.",
    "{His} creatinine peaked at {cr2} and trended down to {cr} at discharge.",
    "{His} INR was {inr} on the day of discharge.",
    "{He} walks {n} blocks before becoming short of breath.",
    "{He} was seen and examined on the day of discharge.",
    "Blood pressure was {sbp}/{dbp} and heart rate {hr} on arrival.",
    "Urine output was adequate at {uo} cc/hr.",
    "{He} was transferred to the floor on hospital day {n}.",
    "In the ED, initial vitals were T {t} HR {hr} BP {sbp}/{dbp} RR {rr} {sat}% RA.",
    "A CT of the head was negative for acute process.",
    "{He} reports {c1} for the past {n} days.",
    "There were no events on telemetry.",
    "{He} was evaluated for {c1} and this was ruled out.",
    "{He} has no known history of {c1} or {c2}.",
    "{His} hemoglobin remained stable at {hgb} and {he} did not require transfusion.",
    "{His} potassium was {k} and magnesium {mg} at discharge.",
    "Chest x-ray showed a small left pleural effusion.",
    "{He} was afebrile with a WBC of {wbc}.",
    "{His} {c1} was thought to be from {cause}.",
    "The patient was discharged in stable condition.",
    "Physical therapy recommended discharge home with services.",
    "Urinalysis was negative.",
    "{He} was kept NPO overnight and diet was advanced the next morning.",
    "{His} weight on discharge was {wt} kg.",
    "{He} was found down at home by {his} daughter.",
    "{His} symptoms started {n} days prior to admission.",
    "{He} had a similar episode of {c1} {n} months ago.",
    "Lactate was {lac} and trended down with resuscitation.",
    "An ultrasound of the right upper quadrant was unremarkable.",
    "{He} was monitored on telemetry for {n} days.",
    "Troponins were negative x{n2}.",
    "{He} uses a cane at baseline.",
)
INSTRUCTION_FILLERS: tuple[str, ...] = (
    "You were admitted to the hospital with {complaint}.",
    "Please keep all of your follow-up appointments.",
    "Please call your doctor or return to the ER if you experience {c1}, {c2}, or {c3}.",
    "Please weigh yourself every morning and call your doctor if your weight goes up more than {n} lbs.",
    "Please check your blood sugar {n2} times a day.",
    "It was a pleasure taking care of you.",
    "Please continue to take your medications as prescribed.",
    "You should not drive until cleared by your doctor.",
    "Please follow a low sodium diet and limit fluids to {fl} liters a day.",
    "Please have your labs checked in {n} days.",
)
SOCIAL_FILLERS: tuple[str, ...] = (
    "{He} lives with {his} {partner} and has {n} children.",
    "{He} quit smoking {n} years ago and has a {py} pack-year history.",
    "{He} drinks {n} glasses of wine per week.",
    "Retired {job}.",
    "No illicit drug use.",
    "{He} is independent in all ADLs.",
)
VITALS: tuple[str, ...] = (
    "VS: T {t} BP {sbp}/{dbp} HR {hr} RR {rr} O2 sat {sat}% on RA",
    "Vitals: T {t}, BP {sbp}/{dbp}, P {hr}, RR {rr}, {sat}% RA",
    "T {t} HR {hr} BP {sbp}/{dbp} RR {rr} {sat}% {n}L NC",
)
EXAM: tuple[str, ...] = (
    "General: NAD, alert and oriented x3", "HEENT: MMM, OP clear, no JVD", "CV: RRR, no m/r/g",
    "Lungs: CTAB, no wheezes or rales", "Abd: soft, NT/ND, +BS", "Ext: no c/c/e, 2+ DP pulses",
    "Neuro: CN II-XII intact, strength 5/5 throughout", "Skin: warm and dry",
    "Lungs: bibasilar crackles", "Ext: 1+ pitting edema to the knees",
)
LABS: tuple[str, ...] = (
    "[**{date}**] 06:10AM BLOOD WBC-{wbc} RBC-{rbc} Hgb-{hgb} Hct-{hct} MCV-{mcv} Plt Ct-{plt}",
    "[**{date}**] 06:10AM BLOOD Glucose-{glu} UreaN-{bun} Creat-{cr} Na-{na} K-{k} Cl-{cl} HCO3-{hco3}",
    "[**{date}**] 05:45AM BLOOD PT-{pt} PTT-{ptt} INR(PT)-{inr}",
    "Na {na}, K {k}, Cl {cl}, HCO3 {hco3}, BUN {bun}, Cr {cr}, Glu {glu}",
    "WBC {wbc}, Hgb {hgb}, Plt {plt}",
    "CXR: No acute cardiopulmonary process.",
    "ECG: Sinus rhythm at {hr} bpm, normal axis, no acute ST changes.",
    "TTE: EF {ef}%, mild MR, no pericardial effusion.",
)
FOLLOWUPS: tuple[str, ...] = (
    "Please follow up with Dr. [**Last Name (STitle) {id}**] in {n} weeks.",
    "Provider: [**First Name11 (Name Pattern1) {id}**] [**Last Name (NamePattern4) {id2}**], MD "
    "Phone:[**Telephone/Fax (1) {id2}**] Date/Time:[**{date} 10:00**]",
    "Follow up with your PCP within {n} week.",
    "Department: CARDIOLOGY When: [**{date}**] at 2:30 PM",
)
HEADERS: dict[str, tuple[str, ...]] = {
    "allergies": ("Allergies:", "ALLERGIES:", "Allergies:"),
    "cc": ("Chief Complaint:", "CHIEF COMPLAINT:", "Chief Complaint:"),
    "hpi": ("History of Present Illness:", "HISTORY OF PRESENT ILLNESS:", "HPI:"),
    "pmh": ("Past Medical History:", "PAST MEDICAL HISTORY:", "PMH:"),
    "social": ("Social History:", "SOCIAL HISTORY:"),
    "exam": ("Physical Exam:", "PHYSICAL EXAMINATION:", "Physical Exam on Admission:"),
    "results": ("Pertinent Results:", "PERTINENT RESULTS:", "Labs:"),
    "course": ("Brief Hospital Course:", "Hospital Course:", "HOSPITAL COURSE:", "Brief Hospital Course by problem:"),
    "admission_meds": ("Medications on Admission:", "MEDICATIONS ON ADMISSION:", "Home Medications:", "Meds on admission:"),
    "discharge_meds": ("Discharge Medications:", "DISCHARGE MEDICATIONS:", "Medications at discharge:", "Discharge Meds:"),
    "disposition": ("Discharge Disposition:",),
    "diagnosis": ("Discharge Diagnosis:", "DISCHARGE DIAGNOSES:", "Discharge Diagnoses:"),
    "condition": ("Discharge Condition:", "CONDITION AT DISCHARGE:"),
    "instructions": ("Discharge Instructions:", "DISCHARGE INSTRUCTIONS:"),
    "followup": ("Followup Instructions:", "Follow-up:", "FOLLOWUP:"),
}
NUMBERING: tuple[str, ...] = ("{n}. ", "{n}. ", "{n}) ", "- ", "", "* ", "#{n} ", "{n}.  ")
NO_ALLERGY: tuple[str, ...] = (
    "Patient recorded as having No Known Allergies to Drugs", "NKDA", "No Known Allergies / Adverse Drug Reactions",
    "Penicillins", "Sulfa (Sulfonamide Antibiotics)",
)


class _Writer:
    """Builds one letter: sections, then filler/entity balancing toward the target plain fraction."""

    def __init__(self, rng: random.Random, lex: _Lexicon) -> None:
        self.rng = rng
        self.lex = lex
        self.letter = _Letter()
        female = rng.random() < 0.5
        self.pron = {"he": "she" if female else "he", "his": "her" if female else "his", "sex": "F" if female else "M"}
        self.year = rng.randint(2100, 2190)

    # -- plain text
    def plain(self, template: str) -> str:
        rng, pron = self.rng, self.pron
        conditions = rng.sample(self.lex.conditions, 3)
        values = {
            "he": pron["he"], "He": _cap(pron["he"]), "his": pron["his"], "His": _cap(pron["his"]),
            "c1": conditions[0], "c2": conditions[1], "c3": conditions[2], "C1": _cap(conditions[0]),
            "cause": rng.choice(NON_DRUG_CAUSES), "consult": rng.choice(CONSULTS), "complaint": rng.choice(COMPLAINTS),
            "date": _date(rng, self.year), "ef": rng.choice((20, 25, 35, 40, 50, 55, 60, 65)),
            "cr": f"{rng.uniform(0.6, 1.6):.1f}", "cr2": f"{rng.uniform(1.7, 3.5):.1f}", "inr": f"{rng.uniform(0.9, 3.4):.1f}",
            "n": rng.randint(2, 9), "n2": rng.randint(2, 4), "sbp": rng.randint(95, 170), "dbp": rng.randint(50, 95),
            "hr": rng.randint(52, 118), "rr": rng.randint(12, 26), "t": f"{rng.uniform(97.0, 101.8):.1f}",
            "sat": rng.randint(88, 100), "uo": rng.choice((30, 40, 50, 60, 80)), "hgb": f"{rng.uniform(7.2, 15.1):.1f}",
            "k": f"{rng.uniform(3.1, 5.6):.1f}", "mg": f"{rng.uniform(1.5, 2.6):.1f}", "wbc": f"{rng.uniform(3.5, 18.9):.1f}",
            "wt": f"{rng.uniform(48, 130):.1f}", "lac": f"{rng.uniform(0.8, 4.5):.1f}", "rbc": f"{rng.uniform(2.9, 5.1):.2f}",
            "hct": f"{rng.uniform(22, 46):.1f}", "mcv": rng.randint(78, 102), "plt": rng.randint(90, 450),
            "glu": rng.randint(70, 320), "bun": rng.randint(7, 68), "na": rng.randint(128, 146), "cl": rng.randint(95, 110),
            "hco3": rng.randint(18, 31), "pt": f"{rng.uniform(10.5, 30):.1f}", "ptt": f"{rng.uniform(24, 80):.1f}",
            "id": rng.randint(100, 9999), "id2": rng.randint(100, 9999),
            "partner": rng.choice(("wife", "husband", "son", "daughter", "partner")),
            "py": rng.choice((10, 20, 30, 40, 50)), "job": rng.choice(("teacher", "electrician", "nurse", "accountant", "bus driver")),
            "fl": rng.choice(("1.5", "2")),
        }
        return template.format(**values)

    def sentence(self, pool: Sequence[str], need: str = "", drugs: list[_Drug] | None = None) -> _Frag:
        """One entity-bearing narrative sentence from `pool`."""
        rng = self.rng
        if drugs is None:
            use_class = rng.random() < 0.12
            info = rng.choice(self.lex.classes) if use_class else self.lex.drug(rng, need)
            drugs = [_Drug(rng, info), _Drug(rng, self.lex.drug(rng, "reasons"))]
        template = pool[_choose(rng, pool, drugs[0])]
        text = template.replace("{He}", _cap(self.pron["he"])).replace("{he}", self.pron["he"])
        text = text.replace("{His}", _cap(self.pron["his"])).replace("{his}", self.pron["his"])
        frag = _Frag()
        _fill(frag, text, drugs, self.letter)
        return frag

    def narrative(self) -> _Frag:
        roll = self.rng.random()
        if roll < 0.45:
            return self.sentence(REASON_TEMPLATES, "reasons")
        if roll < 0.84:
            return self.sentence(ADE_TEMPLATES, "ades")
        if roll < 0.93:
            return self.sentence(MIXED_TEMPLATES, "ades")
        if roll < 0.96:
            return self.sentence(NESTED_TEMPLATES, "ades", [_Drug(self.rng, self._single_word_drug())])
        return self.sentence(PAIR_TEMPLATES, "ades")

    def _single_word_drug(self) -> DrugInfo:
        while True:
            info = self.lex.drug(self.rng, "ades")
            if " " not in info.names[0]:
                return info

    def med_line(self, numbering: str, number: int, info: DrugInfo | None = None) -> _Frag:
        rng = self.rng
        drug = _Drug(rng, info or self.lex.drug(rng))
        index = _choose(rng, MED_TEMPLATES, drug)
        self.letter.templates.add(index)
        frag = _Frag(numbering.replace("{n}", str(number)))
        _fill(frag, MED_TEMPLATES[index], [drug], self.letter)
        return frag

    # -- letter
    def header(self, key: str) -> None:
        self.letter.add(self.rng.choice(HEADERS[key]))

    def build(self) -> _Letter:
        rng, letter, lex = self.rng, self.letter, self.lex
        n_target = rng.randint(25, 50)
        plain_target = rng.uniform(0.71, 0.79)
        budget = max(5, round(n_target * (1 - plain_target)))
        n_narrative = rng.randint(2, min(5, budget - 3))
        n_meds = budget - n_narrative
        n_admission = rng.randint(0, n_meds // 2)
        n_discharge = n_meds - n_admission
        home = [lex.drug(rng) for _ in range(max(n_admission, 1))]

        letter.year = self.year
        day = datetime.date(self.year, 1, 1) + datetime.timedelta(days=rng.randint(0, 340))
        end = day + datetime.timedelta(days=rng.randint(1, 21))
        admit, leave = (f"[**{d.year}-{d.month}-{d.day}**]" for d in (day, end))
        if rng.random() < 0.5:
            letter.add(f"Admission Date:  {admit}              Discharge Date:   {leave}")
        else:
            letter.add(f"Admission Date: {admit}")
            letter.add(f"Discharge Date: {leave}")
        letter.blank()
        letter.add(
            f"Date of Birth:  [**{self.year - rng.randint(25, 95)}-{rng.randint(1, 12)}-{rng.randint(1, 28)}**]"
            f"             Sex:   {self.pron['sex']}"
        )
        letter.blank()
        letter.add(f"Service: {rng.choice(SERVICES)}")
        letter.blank()
        self.header("allergies")
        if rng.random() < 0.45:
            frag = self.sentence(ALLERGY_TEMPLATES, "ades")
        else:
            frag = _Frag(rng.choice(NO_ALLERGY))
        letter.add(frag)
        letter.blank()
        self.header("cc")
        letter.add(_cap(rng.choice(COMPLAINTS)))
        letter.blank()
        self.header("hpi")
        age = rng.randint(22, 97)
        sex = rng.choice(("female", "woman", "F")) if self.pron["he"] == "she" else rng.choice(("male", "man", "M"))
        intro = (
            f"{age} year old {sex} with a history of {', '.join(rng.sample(lex.conditions, rng.randint(1, 3)))}"
            f" who presents with {rng.choice(COMPLAINTS)}."
        )
        hpi = [_Frag(intro)]
        if rng.random() < 0.4:
            hpi.append(self.narrative())
            n_narrative -= 1
        letter.add(*hpi, fillable=FILLERS)
        letter.blank()
        if rng.random() < 0.7:
            self.header("pmh")
            bullet = rng.choice(("- ", "", "# ", "* "))
            for condition in rng.sample(lex.conditions, rng.randint(1, 4)):
                letter.add(bullet + (condition if rng.random() < 0.5 else _cap(condition)))
            letter.blank()
        admission_first = rng.random() < 0.5
        if admission_first and n_admission:
            self.med_section("admission_meds", home, n_admission)
        if rng.random() < 0.4:
            self.header("social")
            letter.add(*[_Frag(self.plain(t)) for t in rng.sample(SOCIAL_FILLERS, rng.randint(1, 2))], fillable=SOCIAL_FILLERS)
            letter.blank()
        if rng.random() < 0.6:
            self.header("exam")
            letter.add(self.plain(rng.choice(VITALS)))
            for line in rng.sample(EXAM, rng.randint(0, 3)):
                letter.add(line)
            letter.blank()
        if rng.random() < 0.5:
            self.header("results")
            for line in rng.sample(LABS, rng.randint(1, 3)):
                letter.add(self.plain(line))
            letter.blank()
        self.header("course")
        paragraphs = rng.randint(1, 3)
        course = [[] for _ in range(paragraphs)]
        for _ in range(max(n_narrative - (rng.random() < 0.3), 1)):
            rng.choice(course).append(self.narrative())
        self.course_lines = []
        for sentences in course:
            if paragraphs > 1 and rng.random() < 0.6:
                sentences.insert(0, _Frag(f"# {_cap(rng.choice(lex.conditions))}:"))
            if not sentences:
                sentences.append(_Frag(self.plain(rng.choice(FILLERS))))
            self.course_lines.append(letter.add(*sentences, fillable=FILLERS))
        letter.blank()
        if not admission_first and n_admission:
            self.med_section("admission_meds", home, n_admission)
        discharge = [h for h in home if rng.random() < 0.6][:n_discharge]
        discharge += [lex.drug(rng) for _ in range(n_discharge - len(discharge))]
        rng.shuffle(discharge)
        self.med_section("discharge_meds", discharge, n_discharge)
        if rng.random() < 0.6:
            self.header("disposition")
            letter.add(rng.choice(("Home", "Home With Service", "Extended Care", "Home with services")))
            letter.blank()
        self.header("diagnosis")
        letter.add(f"Primary: {rng.choice(lex.conditions)}" if rng.random() < 0.5 else _cap(rng.choice(lex.conditions)))
        if rng.random() < 0.5:
            letter.add(f"Secondary: {', '.join(rng.sample(lex.conditions, 2))}")
        letter.blank()
        if rng.random() < 0.5:
            self.header("condition")
            letter.add(rng.choice(("Mental Status: Clear and coherent.", "Stable.", "Level of Consciousness: Alert and interactive.")))
            letter.blank()
        self.header("instructions")
        letter.add(_Frag(self.plain(rng.choice(INSTRUCTION_FILLERS))), fillable=INSTRUCTION_FILLERS)
        self.instructions = len(letter.lines) - 1
        letter.blank()
        self.header("followup")
        letter.add(self.plain(rng.choice(FOLLOWUPS)))
        self.balance(plain_target)
        return letter

    def med_section(self, key: str, drugs: list[DrugInfo], count: int) -> None:
        self.header(key)
        numbering = self.rng.choice(NUMBERING)
        for number, info in enumerate(drugs[:count], start=1):
            self.letter.add(self.med_line(numbering, number, info))
        self.letter.blank()

    def balance(self, target: float) -> None:
        """Add entity sentences or plain filler sentences until the plain fraction is near `target`."""
        rng, letter = self.rng, self.letter
        counts = [letter.line_counts(i) for i in range(len(letter.lines))]
        entity = sum(c[0] for c in counts)
        plain = sum(c[1] for c in counts)

        def refresh(index: int) -> None:
            nonlocal entity, plain
            old = counts[index]
            counts[index] = letter.line_counts(index)
            entity += counts[index][0] - old[0]
            plain += counts[index][1] - old[1]

        for _ in range(12):
            if plain / (plain + entity) <= target + 0.02:
                break
            index = rng.choice(self.course_lines + [self.instructions])
            letter.lines[index].insert(rng.randint(1, len(letter.lines[index])), self.narrative())
            refresh(index)
        for _ in range(60):
            if plain / (plain + entity) >= target - 0.02:
                break
            index = rng.choice(letter.fillable)
            pool = letter.pools[index]
            letter.lines[index].insert(rng.randint(1, len(letter.lines[index])), _Frag(self.plain(rng.choice(pool))))
            refresh(index)


# ---------------------------------------------------------------------------------------------------
# public API


@dataclass
class SyntheticLetter:
    doc_id: str
    text: str
    entities: list[Entity]
    relations: list[Relation]
    templates: set[int]

    def ann(self) -> str:
        return format_standoff(self.entities, self.relations)


def generate_letter(rng: random.Random, doc_index: int, split: str = "train", doc_id: str | None = None) -> SyntheticLetter:
    """One synthetic discharge letter: text (LF, ends with a newline), entities sorted (T1...), relations."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    letter = _Writer(rng, _lexicon(split)).build()
    pieces, pos, raw = [], 0, []
    for frags in letter.lines:
        text, _ = _render_line(frags, pos, assign=True)
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
    relations = [(f"R{i}", f"{label}-Drug", f"T{attr}", f"T{drug}") for i, (drug, attr, label) in enumerate(pairs, start=1)]
    return SyntheticLetter(doc_id or f"synth-{split}-{doc_index:04d}", text, entities, relations, letter.templates)


def format_standoff(entities: Iterable[Entity], relations: Iterable[Relation] = ()) -> str:
    """BRAT standoff text: T lines (discontinuous spans joined by `;`), then n2c2-style R lines."""
    lines = [f"{e.id}\t{e.label} {';'.join(f'{s} {t}' for s, t in e.spans)}\t{e.text}" for e in entities]
    lines += [f"{rid}\t{rtype} Arg1:{arg1} Arg2:{arg2}" for rid, rtype, arg1, arg2 in relations]
    return "".join(line + "\n" for line in lines)


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


def generate_corpus(
    out_dir: str | Path | None,
    n_train_docs: int = 120,
    n_test_docs: int = 40,
    seed: int = 13,
    folders: Mapping[str, str | Path] | None = None,
) -> dict[str, Any]:
    """Write `out_dir/train/*.txt|.ann` and `out_dir/test/*.txt|.ann` (or the `folders` given for `train`
    and `test`); return the corpus statistics.

    Earlier `synth-*` files in those folders are removed first, so the folders hold exactly this corpus.
    """
    if n_train_docs < 0 or n_test_docs < 0:
        raise ValueError("document counts must not be negative")
    if folders is None:
        if out_dir is None:
            raise ValueError("give out_dir or folders")
        folders = {split: Path(out_dir) / split for split in ("train", "test")}
    summary: dict[str, Any] = {"seed": seed, "target_plain_fraction": TARGET_PLAIN_FRACTION}
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
            letter = generate_letter(random.Random(f"clinical-ner-synthetic:{seed}:{split}:{index}"), index, split)
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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the synthetic n2c2-2018-like BRAT corpus.")
    parser.add_argument("out_dir")
    parser.add_argument("--train-docs", type=int, default=120)
    parser.add_argument("--test-docs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    print(json.dumps(generate_corpus(Path(args.out_dir), args.train_docs, args.test_docs, args.seed), indent=2))


if __name__ == "__main__":
    main()
