"""Token-level ablations of the study's Table IV.

Every view works on the token-level tags (B-/I- merged, see ``labels.token_level``) and is scored with
``metrics.classification_report_frame`` with an explicit label list, i.e. scikit-learn's ``labels=``
semantics. No token is removed; a view only changes the label set of the averages (and, for the merge,
the tags themselves):

* ``all``               -- baseline: `O` + the 9 types (the plain token-level report).
* ``no_O``              -- the 9 types; `O` is left out of the label set. A gold-`O` token predicted as
                           `Drug` still counts as a `Drug` false positive, a `Drug` token predicted `O` as a
                           `Drug` false negative; gold-`O`/pred-`O` tokens no longer count at all.
* ``no_ADE_Reason``     -- `O` + the 7 other types; ADE and Reason are left out of the label set (an ADE
                           token predicted `O` becomes an `O` false positive, one predicted `ADE` is ignored).
* ``no_O_ADE_Reason``   -- the 7 types other than ADE and Reason, `O` left out as well.
* ``merge_ADE_into_Reason`` -- ADE is relabelled Reason in gold and prediction, then `O` + the 8 types.

A label set without ADE and Reason has no ADE/Reason views, one without either has no merge
(`absent_ablations`): they would repeat other rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from clinical_ner.evaluation.metrics import Row, classification_report_frame, row_tags, to_token_level
from clinical_ner.labels import OUTSIDE

AVERAGES: tuple[tuple[str, str], ...] = (("macro", "macro avg"), ("micro", "micro avg"), ("weighted", "weighted avg"))
FRAME_COLUMNS: tuple[str, ...] = ("ablation", "average", "precision", "recall", "f1")


@dataclass(frozen=True)
class Ablation:
    """A view: the label list of the averages and a relabelling applied to gold and predicted tags."""

    name: str
    labels: tuple[str, ...]
    relabel: Mapping[str, str] = field(default_factory=dict)

    def apply(self, sequences: Sequence[Sequence[str]]) -> list[list[str]]:
        return [[self.relabel.get(tag, tag) for tag in tags] for tags in sequences]


def absent_ablations(types: Iterable[str]) -> dict[str, str]:
    """The Table IV views that the label set cannot have, name -> why: without ADE and Reason, leaving them
    out changes nothing; the merge needs both."""
    present = {"ADE", "Reason"} & set(types)
    absent = {}
    if not present:
        for name in ("no_ADE_Reason", "no_O_ADE_Reason"):
            absent[name] = "no ADE or Reason type"
    if present != {"ADE", "Reason"}:
        absent["merge_ADE_into_Reason"] = "needs both an ADE and a Reason type"
    return absent


def ablation_views(types: Iterable[str]) -> list[Ablation]:
    """The baseline and the Table IV views the label set can have (see `absent_ablations`), in table order."""
    types = sorted(types)
    without = [t for t in types if t not in ("ADE", "Reason")]
    merged = [t for t in types if t != "ADE"]
    views = [
        Ablation("all", tuple([OUTSIDE] + types)),
        Ablation("no_O", tuple(types)),
        Ablation("no_ADE_Reason", tuple([OUTSIDE] + without)),
        Ablation("no_O_ADE_Reason", tuple(without)),
        Ablation("merge_ADE_into_Reason", tuple([OUTSIDE] + merged), {"ADE": "Reason"}),
    ]
    absent = absent_ablations(types)
    return [view for view in views if view.name not in absent]


def ablation_reports(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], types: Iterable[str]
) -> dict[str, pd.DataFrame]:
    """Full classification report per view, from token-level (already merged) gold and predicted tags."""
    return {
        view.name: classification_report_frame(view.apply(gold), view.apply(pred), view.labels)
        for view in ablation_views(types)
    }


def ablation_frame(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], types: Iterable[str]
) -> pd.DataFrame:
    """Tidy frame (ablation, average, precision, recall, f1) from token-level gold and predicted tags."""
    records = []
    for name, report in ablation_reports(gold, pred, types).items():
        for average, row_name in AVERAGES:
            row = report.loc[row_name]
            records.append({
                "ablation": name,
                "average": average,
                "precision": float(row["precision"]),
                "recall": float(row["recall"]),
                "f1": float(row["f1"]),
            })
    return pd.DataFrame(records, columns=list(FRAME_COLUMNS))


def ablations(rows: Iterable[Row], types: Iterable[str]) -> pd.DataFrame:
    """Tidy ablation frame of prediction rows (BIO `tags`/`pred`, merged to token level here)."""
    types = tuple(types)
    gold, pred = row_tags(rows, types)
    return ablation_frame(to_token_level(gold), to_token_level(pred), types)
