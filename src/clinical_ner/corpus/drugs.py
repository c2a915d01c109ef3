"""Drugs in a letter: the lexicon each split may use, one drug mention's slot values, and templates
filled with entities and their relations to the drug."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from clinical_ner.corpus.letter import Ent, Frag, LetterDraft, Span
from clinical_ner.corpus.lexicon import (
    CLASSES,
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
    NUMBER_WORDS,
    PLAIN_CONDITIONS,
    PRN_WORDS,
    ROUTES,
    SWELLING_PAIRS,
    DrugInfo,
)

HELD_OUT_DRUG_PROBABILITY = 0.2  # test letters: chance that a drug is drawn from the held-out list

@dataclass
class SplitLexicon:
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


def split_lexicon(split: str) -> SplitLexicon:
    if split == "train":
        return SplitLexicon(
            split,
            [_clean(d) for d in DRUGS if not d.held_out],
            [],
            [_clean(d) for d in CLASSES],
            [c for c in PLAIN_CONDITIONS if c not in HELD_OUT_CONDITIONS],
        )
    return SplitLexicon(
        split,
        [d for d in DRUGS if not d.held_out],
        [d for d in DRUGS if d.held_out],
        list(CLASSES),
        list(PLAIN_CONDITIONS),
    )


def held_out_drug_names() -> list[str]:
    """Generic and brand names that only test letters use."""
    return sorted({name for d in DRUGS if d.held_out for name in d.names + d.brands})


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number_word(n: int) -> str:
    if n < len(NUMBER_WORDS):
        return NUMBER_WORDS[n]
    return {30: "Thirty", 40: "Forty", 25: "Twenty Five"}.get(n, str(n))


def letter_date(rng: random.Random, year: int | None = None) -> str:
    year = year or rng.randint(2100, 2190)
    return f"{year}-{rng.randint(1, 12)}-{rng.randint(1, 28)}"


class DrugMention:
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
            return "Drug", cap(self.name) if name == "Drug" else self.name
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
            return "Reason", cap(value) if name == "Reason" else value
        if name in ("ade", "Ade"):
            value = rng.choice(info.ades)
            return "ADE", cap(value) if name == "Ade" else value
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


def fill_template(frag: Frag, template: str, drugs: Sequence[DrugMention], letter: LetterDraft) -> None:
    """Write `template` into `frag`; placeholders become entities related to their drug (`{x2}`: 2nd drug)."""
    rng = drugs[0].rng
    pos = 0
    drop_space = False
    drug_ents: dict[int, Ent] = {}
    attributes: list[tuple[int, Ent]] = []
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
            frag.lit(f"[**{letter_date(rng, letter.year)}**]")
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


def template_slots(template: str) -> set[str]:
    return {m.group(1) for m in _PLACEHOLDER.finditer(template)} - {"He", "he", "His", "his"}


def choose_template(rng: random.Random, templates: Sequence[str], drug: DrugMention) -> int:
    order = list(range(len(templates)))
    rng.shuffle(order)
    for index in order:
        if drug.supports(template_slots(templates[index])):
            return index
    raise ValueError(f"no template fits {drug.info.names[0]}")
