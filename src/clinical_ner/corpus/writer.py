"""Writes one letter: its sections in discharge-summary order, then filler or entity sentences until the
plain-sentence fraction is near its target."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from clinical_ner.corpus.drugs import DrugMention, SplitLexicon, cap, choose_template, fill_template, letter_date
from clinical_ner.corpus.letter import Frag, LetterDraft
from clinical_ner.corpus.lexicon import COMPLAINTS, CONSULTS, NON_DRUG_CAUSES, SERVICES, DrugInfo
from clinical_ner.corpus.presets import LetterShape
from clinical_ner.corpus.templates import (
    ADE_TEMPLATES,
    ALLERGY_TEMPLATES,
    EXAM,
    FILLERS,
    FOLLOWUPS,
    HEADERS,
    INSTRUCTION_FILLERS,
    LAB_PANELS,
    LABS,
    LIST_TEMPLATES,
    MED_TEMPLATES,
    MIXED_TEMPLATES,
    NESTED_TEMPLATES,
    NO_ALLERGY,
    NUMBERING,
    PAIR_TEMPLATES,
    REASON_TEMPLATES,
    SOCIAL_FILLERS,
    VITALS,
)

DEFAULT_SHAPE = LetterShape()


class LetterWriter:
    """Builds one letter: sections, then filler/entity balancing toward the target plain fraction."""

    def __init__(self, rng: random.Random, lex: SplitLexicon, shape: LetterShape = DEFAULT_SHAPE) -> None:
        self.rng = rng
        self.lex = lex
        self.shape = shape
        self.letter = LetterDraft()
        female = rng.random() < 0.5
        self.pron = {"he": "she" if female else "he", "his": "her" if female else "his", "sex": "F" if female else "M"}
        self.year = rng.randint(2100, 2190)

    # -- plain text
    def plain(self, template: str) -> str:
        rng, pron = self.rng, self.pron
        conditions = rng.sample(self.lex.conditions, 3)
        values = {
            "he": pron["he"], "He": cap(pron["he"]), "his": pron["his"], "His": cap(pron["his"]),
            "c1": conditions[0], "c2": conditions[1], "c3": conditions[2], "C1": cap(conditions[0]),
            "cause": rng.choice(NON_DRUG_CAUSES), "consult": rng.choice(CONSULTS), "complaint": rng.choice(COMPLAINTS),
            "date": letter_date(rng, self.year), "ef": rng.choice((20, 25, 35, 40, 50, 55, 60, 65)),
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

    def sentence(self, pool: Sequence[str], need: str = "", drugs: list[DrugMention] | None = None) -> Frag:
        """One entity-bearing narrative sentence from `pool`."""
        rng = self.rng
        if drugs is None:
            use_class = rng.random() < 0.12
            info = rng.choice(self.lex.classes) if use_class else self.lex.drug(rng, need)
            drugs = [DrugMention(rng, info), DrugMention(rng, self.lex.drug(rng, "reasons"))]
        template = pool[choose_template(rng, pool, drugs[0])]
        text = template.replace("{He}", cap(self.pron["he"])).replace("{he}", self.pron["he"])
        text = text.replace("{His}", cap(self.pron["his"])).replace("{his}", self.pron["his"])
        frag = Frag()
        fill_template(frag, text, drugs, self.letter)
        return frag

    def narrative(self) -> Frag:
        roll = self.rng.random()
        if roll < 0.45:
            return self.sentence(REASON_TEMPLATES, "reasons")
        if roll < 0.84:
            return self.sentence(ADE_TEMPLATES, "ades")
        if roll < 0.93:
            return self.sentence(MIXED_TEMPLATES, "ades")
        if roll < 0.96:
            return self.sentence(NESTED_TEMPLATES, "ades", [DrugMention(self.rng, self._single_word_drug())])
        return self.sentence(PAIR_TEMPLATES, "ades")

    def _single_word_drug(self) -> DrugInfo:
        while True:
            info = self.lex.drug(self.rng, "ades")
            if " " not in info.names[0]:
                return info

    def med_line(self, numbering: str, number: int, info: DrugInfo | None = None) -> Frag:
        rng = self.rng
        drug = DrugMention(rng, info or self.lex.drug(rng))
        index = choose_template(rng, MED_TEMPLATES, drug)
        self.letter.templates.add(index)
        frag = Frag(numbering.replace("{n}", str(number)))
        fill_template(frag, MED_TEMPLATES[index], [drug], self.letter)
        return frag

    # -- letter
    def header(self, key: str) -> None:
        self.letter.add(self.rng.choice(HEADERS[key]))

    def build(self) -> LetterDraft:
        rng, letter, lex = self.rng, self.letter, self.lex
        n_target = rng.randint(*self.shape.sentences)
        plain_target = rng.uniform(*self.shape.plain_target)
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
            frag = Frag(rng.choice(NO_ALLERGY))
        letter.add(frag)
        letter.blank()
        self.header("cc")
        letter.add(cap(rng.choice(COMPLAINTS)))
        letter.blank()
        self.header("hpi")
        age = rng.randint(22, 97)
        sex = rng.choice(("female", "woman", "F")) if self.pron["he"] == "she" else rng.choice(("male", "man", "M"))
        intro = (
            f"{age} year old {sex} with a history of {', '.join(rng.sample(lex.conditions, rng.randint(1, 3)))}"
            f" who presents with {rng.choice(COMPLAINTS)}."
        )
        hpi = [Frag(intro)]
        if rng.random() < 0.4:
            hpi.append(self.narrative())
            n_narrative -= 1
        letter.add(*hpi, fillable=FILLERS)
        letter.blank()
        if rng.random() < 0.7:
            self.header("pmh")
            bullet = rng.choice(("- ", "", "# ", "* "))
            for condition in rng.sample(lex.conditions, rng.randint(1, 4)):
                letter.add(bullet + (condition if rng.random() < 0.5 else cap(condition)))
            letter.blank()
        admission_first = rng.random() < 0.5
        if admission_first and n_admission:
            self.med_section("admission_meds", home, n_admission)
        if rng.random() < 0.4:
            self.header("social")
            letter.add(*[Frag(self.plain(t)) for t in rng.sample(SOCIAL_FILLERS, rng.randint(1, 2))], fillable=SOCIAL_FILLERS)
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
            if self.shape.lab_dump and rng.random() < self.shape.lab_dump:
                letter.add(self.lab_dump())
            letter.blank()
        self.header("course")
        paragraphs = rng.randint(1, 3)
        course = [[] for _ in range(paragraphs)]
        for _ in range(max(n_narrative - (rng.random() < 0.3), 1)):
            rng.choice(course).append(self.narrative())
        self.course_lines = []
        for sentences in course:
            if paragraphs > 1 and rng.random() < 0.6:
                sentences.insert(0, Frag(f"# {cap(rng.choice(lex.conditions))}:"))
            if not sentences:
                sentences.append(Frag(self.plain(rng.choice(FILLERS))))
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
        letter.add(f"Primary: {rng.choice(lex.conditions)}" if rng.random() < 0.5 else cap(rng.choice(lex.conditions)))
        if rng.random() < 0.5:
            letter.add(f"Secondary: {', '.join(rng.sample(lex.conditions, 2))}")
        letter.blank()
        if rng.random() < 0.5:
            self.header("condition")
            letter.add(rng.choice(("Mental Status: Clear and coherent.", "Stable.", "Level of Consciousness: Alert and interactive.")))
            letter.blank()
        self.header("instructions")
        letter.add(Frag(self.plain(rng.choice(INSTRUCTION_FILLERS))), fillable=INSTRUCTION_FILLERS)
        self.instructions = len(letter.lines) - 1
        letter.blank()
        self.header("followup")
        letter.add(self.plain(rng.choice(FOLLOWUPS)))
        self.balance(plain_target)
        return letter

    def lab_dump(self) -> str:
        """Lab panels of several draws on one line, as pasted into real letters: one long all-O sentence."""
        rng = self.rng
        return " ".join(self.plain(rng.choice(LAB_PANELS)) for _ in range(rng.randint(*self.shape.lab_blocks)))

    def inline_list(self, drugs: list[DrugInfo]) -> None:
        """A medication list written on one line, items separated by commas: one long entity sentence
        (at least `shape.list_items` items, drawn from the lexicon beyond the letter's own list)."""
        drugs = list(drugs)
        drugs += [self.lex.drug(self.rng) for _ in range(self.rng.randint(*self.shape.list_items) - len(drugs))]
        items = []
        for number, info in enumerate(drugs, start=1):
            drug = DrugMention(self.rng, info)
            frag = Frag()
            fill_template(frag, LIST_TEMPLATES[choose_template(self.rng, LIST_TEMPLATES, drug)], [drug], self.letter)
            items.append(frag.lit(",") if number < len(drugs) else frag)
        self.letter.add(*items)
        self.letter.blank()

    def med_section(self, key: str, drugs: list[DrugInfo], count: int) -> None:
        self.header(key)
        if key == "admission_meds" and self.shape.inline_list and self.rng.random() < self.shape.inline_list:
            self.inline_list(drugs[:count])
            return
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

        for _ in range(self.shape.max_added_narratives):
            if plain / (plain + entity) <= target + 0.02:
                break
            index = rng.choice(self.course_lines + [self.instructions])
            letter.lines[index].insert(rng.randint(1, len(letter.lines[index])), self.narrative())
            refresh(index)
        for _ in range(self.shape.max_added_fillers):
            if plain / (plain + entity) >= target - 0.02:
                break
            index = rng.choice(letter.fillable)
            pool = letter.pools[index]
            letter.lines[index].insert(rng.randint(1, len(letter.lines[index])), Frag(self.plain(rng.choice(pool))))
            refresh(index)
