"""A tiny gold and predicted BRAT corpus with one error of each kind, for the error viewer's tests."""

from __future__ import annotations

from pathlib import Path

TEXTS = {
    "note-a": "Aspirin 81 mg po daily for pain.\nStop ibuprofen; rash noted today.\n",
    "note-b": "Metformin 500 mg twice daily.\n",
}
# doc -> (gold lines, predicted lines); predicted entities carry confidence notes as predict_notes writes them.
ANNOTATIONS = {
    "note-a": (
        ["T1\tDrug 0 7\tAspirin", "T2\tStrength 8 13\t81 mg", "T3\tRoute 14 16\tpo", "T4\tFrequency 17 22\tdaily",
         "T5\tADE 49 53\trash"],
        ["T1\tDrug 0 7\tAspirin", "#1\tAnnotatorNotes T1\tconfidence 0.9900",
         "T2\tDosage 8 13\t81 mg", "#2\tAnnotatorNotes T2\tconfidence 0.5500",
         "T3\tFrequency 17 26\tdaily for", "#3\tAnnotatorNotes T3\tconfidence 0.9500",
         "T4\tDrug 38 47\tibuprofen", "#4\tAnnotatorNotes T4\tconfidence 0.6200",
         "T5\tADE 49 53\trash", "#5\tAnnotatorNotes T5\tconfidence 0.9700"],
    ),
    "note-b": (["T1\tDrug 0 9\tMetformin", "T2\tStrength 10 16\t500 mg"], ["T1\tDrug 0 9\tMetformin"]),
}
TYPES = ["ADE", "Dosage", "Drug", "Frequency", "Route", "Strength"]
# The errors the tests look for in note-a: a false positive with no gold overlap and a gold entity never predicted.
SPURIOUS = "p:T4"  # "ibuprofen", confidence 0.62
MISSED = "g:T3"  # "po"
WRONG_BOUNDARY = "p:T3"  # "daily for", confidence 0.95


def write_corpus(root: Path) -> tuple[Path, Path]:
    """``root/gold`` (.txt + .ann) and ``root/predicted`` (.ann); returns both folders."""
    gold, predicted = root / "gold", root / "predicted"
    gold.mkdir(parents=True)
    predicted.mkdir(parents=True)
    for doc_id, text in TEXTS.items():
        gold_lines, pred_lines = ANNOTATIONS[doc_id]
        (gold / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        (gold / f"{doc_id}.ann").write_text("\n".join(gold_lines) + "\n", encoding="utf-8")
        (predicted / f"{doc_id}.ann").write_text("\n".join(pred_lines) + "\n", encoding="utf-8")
    return gold, predicted
