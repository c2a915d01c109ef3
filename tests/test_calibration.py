"""Reliability tables, ECE and the reliability diagram of predicted confidences."""

from __future__ import annotations

import matplotlib.image as mpimg
import pytest

from clinical_ner.evaluation.calibration import (
    calibration_table,
    confidence_outcomes,
    expected_calibration_error,
    plot_reliability,
    reliability,
)

ROWS = [
    {"tags": ["B-Drug", "I-Drug", "O", "B-Route"], "pred": ["B-Drug", "I-Drug", "O", "B-Drug"],
     "confidence": [0.95, 0.55, 0.99, 0.35]},
    {"tags": ["O", "B-ADE"], "pred": ["B-ADE", "B-ADE"], "confidence": [0.15, 0.85]},
]


def test_confidence_outcomes_by_hand():
    outcomes = confidence_outcomes(ROWS)
    assert outcomes["token"] == ([0.95, 0.55, 0.99, 0.35, 0.15, 0.85], [True, True, True, False, False, True])
    # entities: Drug(0-1) right with min 0.55; Drug(3) wrong 0.35; ADE(0) wrong 0.15; ADE(1) right 0.85
    assert outcomes["entity"] == ([0.55, 0.35, 0.15, 0.85], [True, False, False, True])
    with pytest.raises(ValueError, match="confidence"):
        confidence_outcomes([{"tags": ["O"], "pred": ["O"]}])


def test_reliability_bins_and_ece():
    table = reliability([0.05, 0.15, 0.95, 0.97, 1.0], [False, True, True, True, False], bins=10)
    assert table["bin_low"].tolist() == pytest.approx([0.0, 0.1, 0.9])
    assert table["count"].tolist() == [1, 1, 3]
    assert table["accuracy"].tolist() == pytest.approx([0.0, 1.0, 2 / 3])
    expected = (1 * 0.05 + 1 * 0.85 + 3 * abs(2 / 3 - (0.95 + 0.97 + 1.0) / 3)) / 5
    assert expected_calibration_error(table) == pytest.approx(expected)
    perfect = reliability([1.0, 1.0], [True, True])
    assert expected_calibration_error(perfect) == 0.0


def test_calibration_table_and_figure(tmp_path):
    table = calibration_table(ROWS, bins=5)
    assert table.columns.tolist() == ["level", "bin_low", "bin_high", "count", "confidence", "accuracy"]
    assert table.groupby("level")["count"].sum().to_dict() == {"entity": 4, "token": 6}
    png, pdf = plot_reliability(table, tmp_path / "reliability", "test")
    image = mpimg.imread(png)
    assert image.shape[0] > 200 and image.std() > 0.01 and pdf.stat().st_size > 1000
