import math

import pytest

from clinical_ner.models.train.selection import pinned_selection, select_candidate


def summary(f1, loss, epoch=3):
    return {"best_val_macro_f1": f1, "best_val_loss": loss, "best_epoch": epoch}


SETTINGS = {"hp0": {"learning_rate": 1e-3}, "hp1": {"learning_rate": 3e-3}, "hp2": {"learning_rate": 1e-2}}


def test_best_macro_f1_wins():
    chosen = select_candidate({"hp0": summary(0.5, 0.1), "hp1": summary(0.7, 0.9, 5), "hp2": summary(0.6, 0.05)}, SETTINGS)
    assert chosen["candidate"] == "hp1"
    assert chosen["best_epoch"] == 5
    assert chosen["settings"] == {"learning_rate": 3e-3}
    assert [r["candidate"] for r in chosen["ranking"]] == ["hp1", "hp2", "hp0"]


def test_tie_on_f1_goes_to_lower_validation_loss():
    chosen = select_candidate({"hp0": summary(0.7, 0.4), "hp1": summary(0.7, 0.2), "hp2": summary(0.1, 0.01)}, SETTINGS)
    assert chosen["candidate"] == "hp1"


def test_nan_scores_rank_last():
    chosen = select_candidate({"hp0": summary(math.nan, 0.1), "hp1": summary(0.2, math.nan)}, SETTINGS)
    assert chosen["candidate"] == "hp1"


def test_no_candidates_is_an_error():
    with pytest.raises(ValueError):
        select_candidate({}, SETTINGS)


def test_the_study_ranks_by_the_mean_of_macro_precision_recall_and_f1():
    runs = {
        "hp0": {**summary(0.70, 0.3), "best_val_macro_precision": 0.60, "best_val_macro_recall": 0.60},  # mean 0.633
        "hp1": {**summary(0.68, 0.2), "best_val_macro_precision": 0.75, "best_val_macro_recall": 0.65},  # mean 0.693
    }
    assert select_candidate(runs, {"hp0": {}, "hp1": {}})["candidate"] == "hp0"
    chosen = select_candidate(runs, {"hp0": {}, "hp1": {}}, rank_by="mean_macro_prf")
    assert chosen["candidate"] == "hp1" and chosen["ranking"][0]["score"] == pytest.approx((0.68 + 0.75 + 0.65) / 3)


def test_pinned_settings_train_as_given():
    chosen = pinned_selection({"batch_size": 14, "epochs": 3, "learning_rate": 5e-5})
    assert chosen["best_epoch"] == 3 and chosen["settings"]["batch_size"] == 14 and chosen["ranking"] == []
