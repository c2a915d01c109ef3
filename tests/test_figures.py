"""Figures are written as real, non-trivial PNG and PDF files."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from clinical_ner.evaluation import figures, metrics
from clinical_ner.labels import ENTITY_TYPES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

GOLD = [["B-Drug", "I-Drug", "O", "B-Strength", "O"], ["O", "B-Route", "O", "B-ADE", "I-ADE"]]
PRED = [["B-Drug", "O", "O", "B-Strength", "O"], ["O", "B-Drug", "O", "B-ADE", "B-Reason"]]


def rows():
    return [{"doc_id": "d", "sent": i, "tags": g, "pred": p} for i, (g, p) in enumerate(zip(GOLD, PRED))]


def check(paths, stem, min_width=300, min_height=200):
    assert [p.name for p in paths] == [stem.name + ".png", stem.name + ".pdf"]
    png, pdf = paths
    assert png.read_bytes()[:8] == PNG_SIGNATURE
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000
    image = mpimg.imread(png)
    height, width = image.shape[:2]
    assert width >= min_width and height >= min_height
    assert width <= 6000 and height <= 6000
    rgb = image[..., :3].reshape(-1, 3)
    assert rgb.std(axis=0).max() > 0.05  # not a single colour
    sample = (rgb[::7] * 255).astype(np.uint8)
    codes = (sample[:, 0].astype(np.int64) << 16) | (sample[:, 1].astype(np.int64) << 8) | sample[:, 2]
    assert len(np.unique(codes)) > 20
    return image


def test_classification_report_heatmap(tmp_path):
    report = metrics.bio_strict(rows(), ENTITY_TYPES)
    stem = tmp_path / "figs" / "report_bio"
    image = check(figures.plot_classification_report(report, stem, "BIO-strict"), stem)
    assert image.shape[0] > image.shape[1] * 0.8  # 22 rows: taller than wide-ish


def test_confusion_counts_and_normalised(tmp_path):
    frame = metrics.confusion_bio(rows(), ENTITY_TYPES)
    for normalise in (False, True):
        stem = tmp_path / f"confusion_{normalise}"
        check(figures.plot_confusion(frame, stem, "Confusion", normalise=normalise), stem)


def test_training_curves(tmp_path):
    histories = {
        name: pd.DataFrame({"epoch": [1, 2, 3, 4], "train_loss": [1.0, 0.6, 0.4, 0.3] ,
                            "val_loss": [1.1, 0.8, 0.7, 0.75], "val_macro_f1": [0.2 + s, 0.5 + s, 0.6 + s, 0.62]})
        for name, s in (("bert-apt", 0.0), ("bert-crf", 0.05))
    }
    histories["no-val"] = pd.DataFrame({"epoch": [1, 2], "train_loss": [0.9, 0.5], "val_loss": [None, None],
                                         "val_macro_f1": [None, None]})  # trained without validation
    stem = tmp_path / "curves"
    check(figures.plot_training_curves(histories, stem), stem, min_width=800)
    with pytest.raises(ValueError, match="epoch"):
        figures.plot_training_curves({"x": pd.DataFrame({"train_loss": [1.0]})}, tmp_path / "bad")


def test_regime_comparison(tmp_path):
    df = pd.DataFrame({
        "model": ["bert-apt", "bert-apt", "distil-crf", "distil-crf"],
        "regime": ["downsampled", "full", "full", "downsampled"],
        "f1": [0.61, 0.72, 0.65, 0.55],
    })
    stem = tmp_path / "regimes"
    check(figures.plot_regime_comparison(df, stem), stem)
    with pytest.raises(ValueError, match="f1"):
        figures.plot_regime_comparison(df.drop(columns="f1"), tmp_path / "bad")


def test_side_by_side_panels_as_the_study_lays_them_out(tmp_path):
    report = metrics.bio_strict(rows(), ENTITY_TYPES)
    confusion = metrics.confusion_bio(rows(), ENTITY_TYPES)
    stem = tmp_path / "fig04"
    three = check(figures.plot_panels({"A-CRF": report, "B-CRF": report, "C-CRF": report}, stem, "Fig. 4"), stem)
    single = check(figures.plot_panels({"A-CRF": report}, tmp_path / "one", "Fig. 8"), tmp_path / "one")
    assert three.shape[1] > 2.5 * single.shape[1]  # three panels side by side
    check(figures.plot_panels({"A": confusion, "B": confusion}, tmp_path / "fig05", "Fig. 5", kind="confusion"), tmp_path / "fig05")
    with pytest.raises(ValueError):
        figures.plot_panels({}, tmp_path / "none", "empty")
