"""Score a folder of predicted BRAT `.ann` files against a gold BRAT folder, in both span semantics.

One code path for the pipeline (rule ``score_spans``) and ``clinical-ner score``:

* Gold: every ``.txt``/``.ann`` pair of the gold folder (`brat.read_corpus`, `label_map` applied).
* Predictions: ``{doc_id}.ann`` in the prediction folder, read against the gold text with types as written
  (any ``#``, ``A``, ``R``... lines skipped). A gold document without a prediction file counts as one with
  no entities; prediction files without a gold document are ignored and listed.
* Scores: ``one_to_one`` (`evaluation.spans`) and ``n2c2`` (`evaluation.n2c2`, the official n2c2-2018
  track 2 semantics and the headline table), each strict and lenient, per type, micro and macro.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from clinical_ner.data.brat import read_annotations, read_corpus
from clinical_ner.data.records import Document
from clinical_ner.data.report import CorpusReport
from clinical_ner.errors import InputError
from clinical_ner.evaluation.n2c2 import score_documents_n2c2
from clinical_ner.evaluation.spans import score_documents

SEMANTICS: tuple[str, ...] = ("n2c2", "one_to_one")
SEMANTICS_TITLES = {
    "n2c2": "n2c2-2018 track 2 semantics (official scorer)",
    "one_to_one": "one-to-one matching",
}


@dataclass
class ScoringInput:
    gold: list[Document]
    predicted: list[Document]
    missing_predictions: list[str] = field(default_factory=list)
    extra_predictions: list[str] = field(default_factory=list)

    def missing_note(self) -> str | None:
        """A warning naming the gold documents without a prediction file (scored as empty), or None."""
        if not self.missing_predictions:
            return None
        return (f"{len(self.missing_predictions)} gold document(s) without a prediction file, scored as empty: "
                + ", ".join(self.missing_predictions))

    def types(self) -> list[str]:
        """Every type in gold or prediction, sorted."""
        return sorted({e.label for d in self.gold + self.predicted for e in d.entities})


def read_folders(gold_dir: str | Path, pred_dir: str | Path, label_map: Mapping[str, str] | None = None) -> ScoringInput:
    """Gold documents and one predicted document per gold document (empty where its `.ann` is missing)."""
    gold_dir, pred_dir = Path(gold_dir), Path(pred_dir)
    if not pred_dir.is_dir():
        raise InputError(pred_dir, "prediction folder not found")
    gold = read_corpus(gold_dir, label_map, CorpusReport())
    known = {doc.doc_id for doc in gold}
    predicted, missing = [], []
    for doc in gold:
        ann = pred_dir / f"{doc.doc_id}.ann"
        if ann.is_file():
            entities = read_annotations(ann, doc.text, None, CorpusReport())
        else:
            entities = []
            missing.append(doc.doc_id)
        predicted.append(Document(doc.doc_id, doc.text, entities))
    extra = sorted(p.stem for p in pred_dir.glob("*.ann") if p.is_file() and p.stem not in known)
    return ScoringInput(gold, predicted, missing, extra)


def score_inputs(inputs: ScoringInput, types: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """``{"n2c2": frame, "one_to_one": frame}`` over `types` in their order (default: every type seen)."""
    labels = list(dict.fromkeys(types)) if types is not None else inputs.types()
    return {
        "n2c2": score_documents_n2c2(inputs.gold, inputs.predicted, labels),
        "one_to_one": score_documents(inputs.gold, inputs.predicted, labels),
    }


def score_folders(
    gold_dir: str | Path, pred_dir: str | Path, types: Iterable[str] | None = None,
    label_map: Mapping[str, str] | None = None,
) -> dict[str, pd.DataFrame]:
    """`read_folders` then `score_inputs`."""
    return score_inputs(read_folders(gold_dir, pred_dir, label_map), types)


NOT_IN_GOLD = "no gold entity of this type"
NOT_PREDICTED = "never predicted"


def type_notes(inputs: ScoringInput, types: Iterable[str] | None = None) -> dict[str, str]:
    """Type -> what makes its row read differently: absent from gold (recall is undefined, not a miss) or
    never predicted; over `types` and every type seen. Types with both gold and predicted entities are left out."""
    gold = {e.label for d in inputs.gold for e in d.entities}
    predicted = {e.label for d in inputs.predicted for e in d.entities}
    notes = {}
    for label in dict.fromkeys([*(types or []), *inputs.types()]):
        if label not in gold:
            notes[label] = NOT_IN_GOLD
        elif label not in predicted:
            notes[label] = NOT_PREDICTED
    return notes


def type_warnings(inputs: ScoringInput, types: Iterable[str] | None = None, mapped: bool = False) -> list[str]:
    """What makes scores misleading, one line each: a scored type absent from gold (a predicted one first of
    all: unmapped gold types?), a gold type never predicted, and types seen but not scored. `mapped`: the
    gold types were mapped through a label map."""
    scored = set(types) if types is not None else set(inputs.types())
    predicted = {e.label for d in inputs.predicted for e in d.entities}
    lines = []
    for label, note in type_notes(inputs, types).items():
        if label not in scored:
            continue
        if note == NOT_IN_GOLD and label in predicted:
            hint = "" if mapped else " (map the gold types with --label-map or --config)"
            lines.append(f"predicted type {label!r} never occurs in gold{hint}")
        elif note == NOT_IN_GOLD:
            lines.append(f"type {label!r} never occurs in gold")
        else:
            lines.append(f"gold type {label!r} is never predicted")
    unscored = sorted(set(inputs.types()) - scored)
    if unscored:
        lines.append(f"not scored (not among the types): {', '.join(unscored)}")
    return lines


def with_notes(frame: pd.DataFrame, notes: Mapping[str, str]) -> pd.DataFrame:
    """`frame` with a ``note`` column (`type_notes` of each label row; empty for the averages)."""
    return frame.assign(note=[notes.get(label, "") for label in frame["label"]])


def combined(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One frame with a leading ``semantics`` column (n2c2 first)."""
    parts = [frames[name].assign(semantics=name) for name in SEMANTICS if name in frames]
    frame = pd.concat(parts, ignore_index=True)
    return frame[["semantics", *[c for c in frame.columns if c != "semantics"]]]


def format_scores(frame: pd.DataFrame, title: str) -> str:
    """A fixed-width text table: one line per label, strict and lenient P/R/F1 side by side, then the
    support (gold entities) and the predicted entities, and the label's note when the frame has one."""
    lines = [title, f"{'':>12}  {'------ strict ------':^22}  {'------ lenient -----':^22}",
             f"{'':>12}  {'P':>6} {'R':>6} {'F1':>6}    {'P':>6} {'R':>6} {'F1':>6}  {'support':>7} {'predicted':>9}"]
    by_mode = {mode: part.set_index("label") for mode, part in frame.groupby("mode", sort=False)}
    for label in frame[frame["mode"] == "strict"]["label"]:
        cells = []
        for mode in ("strict", "lenient"):
            row = by_mode[mode].loc[label]
            cells.append(f"{row.precision:6.4f} {row.recall:6.4f} {row.f1:6.4f}")
        strict = by_mode["strict"].loc[label]
        note = str(strict.get("note", "") or "")
        lines.append(f"{label:>12}  {cells[0]}    {cells[1]}  {int(strict.tp + strict.fn):>7} "
                     f"{int(strict.tp + strict.fp):>9}" + (f"  ({note})" if note else ""))
    return "\n".join(lines)
