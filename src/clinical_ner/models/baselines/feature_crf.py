"""The classic baseline: a feature-based linear-chain CRF (CRFsuite through ``sklearn-crfsuite``).

Features of each token: word identity, lower case, prefixes and suffixes (1-4 characters), word shape
(``Xxxx``, ``dd.d``), short shape, digit/upper/title/punctuation flags, and the lower case, shape and
title flag of the neighbouring words within +-2 (plus sentence-start/end markers). Trained with L-BFGS
and elastic-net regularisation ``c1`` (L1) / ``c2`` (L2), chosen on validation macro BIO-strict F1 from a
small grid (ties: the first setting of the grid). The saved folder holds the CRFsuite model file and
``crf.json``; :class:`FeatureCRF` predicts like a ``Tagger`` (``predict(sentences) -> tags``), so the
same prediction code writes its JSONL and BRAT outputs.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from clinical_ner.data.records import Sentence, words_of
from clinical_ner.evaluation.metrics import bio_strict
from clinical_ner.models.train.selection import select_candidate

MODEL_FILE = "model.crfsuite"
CONFIG_FILE = "crf.json"
DEFAULT_GRID: dict[str, list[float]] = {"c1": [0.05, 0.2], "c2": [0.01, 0.1]}
ENCODER_NAME = "crfsuite"


def shape(word: str) -> str:
    """Word shape: upper -> X, lower -> x, digit -> d, other characters kept (``Lasix`` -> ``Xxxxx``)."""
    return "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c for c in word)


def short_shape(word: str) -> str:
    """Shape with repeated classes collapsed (``Xxxxx`` -> ``Xx``, ``10.5`` -> ``d.d``)."""
    return re.sub(r"(.)\1+", r"\1", shape(word))


def token_features(words: Sequence[str], i: int) -> dict[str, Any]:
    """CRFsuite feature dict of word `i` of a sentence."""
    word = words[i]
    lower = word.lower()
    features: dict[str, Any] = {
        "bias": 1.0,
        "word": word,
        "lower": lower,
        "shape": shape(word)[:12],
        "short_shape": short_shape(word),
        "is_digit": word.isdigit(),
        "has_digit": any(c.isdigit() for c in word),
        "is_upper": word.isupper(),
        "is_title": word.istitle(),
        "is_punct": not any(c.isalnum() for c in word),
        "length": min(len(word), 10),
    }
    for n in range(1, 5):
        features[f"prefix{n}"] = lower[:n]
        features[f"suffix{n}"] = lower[-n:]
    for offset in (-2, -1, 1, 2):
        j = i + offset
        if 0 <= j < len(words):
            other = words[j]
            features[f"{offset:+d}:lower"] = other.lower()
            features[f"{offset:+d}:short_shape"] = short_shape(other)
            features[f"{offset:+d}:is_title"] = other.istitle()
        elif j == -1:
            features["BOS"] = True
        elif j == len(words):
            features["EOS"] = True
    return features


def sentence_features(words: Sequence[str]) -> list[dict[str, Any]]:
    return [token_features(words, i) for i in range(len(words))]


class FeatureCRF:
    """A trained CRFsuite model with its settings; ``predict`` gives one BIO tag per word."""

    encoder_name = ENCODER_NAME
    head_type = "none"

    device = "cpu"  # CRFsuite tags on the CPU; no torch

    def __init__(self, model_path: str | Path, settings: Mapping[str, Any]) -> None:
        import pycrfsuite

        self.model_path = Path(model_path)
        self.settings = dict(settings)
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(self.model_path))
        self.labels = sorted(self._tagger.labels())
        self.label_ids = {label: i for i, label in enumerate(self.labels)}

    @classmethod
    def fit(
        cls, sentences: Sequence[Sentence], folder: str | Path, c1: float, c2: float, max_iterations: int = 100,
    ) -> FeatureCRF:
        """Train on `sentences` and save the model into `folder` (created)."""
        import sklearn_crfsuite

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        usable = [s for s in sentences if s.tokens]
        if not usable:
            raise ValueError("no training sentences with tokens")
        crf = sklearn_crfsuite.CRF(
            algorithm="lbfgs", c1=c1, c2=c2, max_iterations=max_iterations, all_possible_transitions=True,
            model_filename=str(folder / MODEL_FILE),
        )
        crf.fit([sentence_features(s.tokens) for s in usable], [list(s.tags) for s in usable])
        settings = {"c1": c1, "c2": c2, "max_iterations": max_iterations, "train_sentences": len(usable)}
        (folder / CONFIG_FILE).write_text(json.dumps({"model": "feature-crf", "settings": settings}, indent=2) + "\n",
                                          encoding="utf-8")
        return cls(folder / MODEL_FILE, settings)

    @classmethod
    def load(cls, folder: str | Path) -> FeatureCRF:
        folder = Path(folder)
        config_path = folder / CONFIG_FILE
        if not config_path.is_file():
            raise FileNotFoundError(f"{config_path}: not a saved feature CRF ({CONFIG_FILE} missing)")
        config = json.loads(config_path.read_text(encoding="utf-8"))
        return cls(folder / MODEL_FILE, config["settings"])

    def predict(self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int = 32) -> list[list[str]]:
        """One BIO tag per word; `batch_size` is accepted for the Tagger interface and ignored."""
        return [self._tagger.tag(sentence_features(words)) if words else [] for words in map(words_of, sentences)]

    def remember_predictions(self) -> None:
        """The Tagger interface's memory of scored sentences: CRFsuite scores a sentence in microseconds,
        so there is nothing worth remembering."""

    def predict_scored(
        self, sentences: Sequence[Sentence | Sequence[str]], batch_size: int = 32
    ) -> list[list[tuple[int, float]]]:
        """(label id in ``labels``, CRFsuite's marginal probability of that label) per word."""
        out = []
        for words in map(words_of, sentences):
            if not words:
                out.append([])
                continue
            tags = self._tagger.tag(sentence_features(words))
            out.append([(self.label_ids[tag], float(self._tagger.marginal(tag, i))) for i, tag in enumerate(tags)])
        return out


def is_feature_crf(folder: str | Path) -> bool:
    return (Path(folder) / CONFIG_FILE).is_file()


def grid_settings(grid: Mapping[str, Sequence[float]]) -> list[dict[str, float]]:
    """Every (c1, c2) combination of the grid, c1-major."""
    return [{"c1": float(c1), "c2": float(c2)} for c1, c2 in itertools.product(grid["c1"], grid["c2"])]


def validation_macro_scores(model: FeatureCRF, sentences: Sequence[Sentence], types: Sequence[str]) -> dict[str, float]:
    """Macro precision, recall and F1 of BIO-strict tags on `sentences`: the neural taggers' selection scores."""
    rows = [{**s.to_dict(), "pred": pred} for s, pred in zip(sentences, model.predict(sentences))]
    macro = bio_strict(rows, types).loc["macro avg"]
    return {name: float(macro[name]) for name in ("precision", "recall", "f1")}


def select_and_train(
    train: Sequence[Sentence],
    val: Sequence[Sentence],
    folder: str | Path,
    types: Sequence[str],
    grid: Mapping[str, Sequence[float]] = DEFAULT_GRID,
    max_iterations: int = 100,
    retrain_on_train_val: bool = True,
    log: Callable[[str], None] = lambda message: None,
    rank_by: str = "macro_f1",
) -> dict[str, Any]:
    """Fit every grid setting on `train`, score it on `val` and select it by the neural taggers' rule
    (`train.selection.select_candidate`: `rank_by`, first in grid order among ties; a CRF has no
    validation loss to break them), then re-train it on train+validation into `folder` (or keep the
    train-only fit). Writes ``selection.json`` (every setting's validation scores, the ranking) into
    `folder`; returns its content."""
    folder = Path(folder)
    scores, summaries, settings_of = [], {}, {}
    for k, settings in enumerate(grid_settings(grid)):
        candidate = f"hp{k}"
        model = FeatureCRF.fit(train, folder / "search" / candidate, max_iterations=max_iterations, **settings)
        macro = validation_macro_scores(model, val, types)
        scores.append({"candidate": candidate, **settings, "val_macro_f1": macro["f1"],
                       "val_macro_precision": macro["precision"], "val_macro_recall": macro["recall"]})
        summaries[candidate] = {f"best_val_macro_{name}": value for name, value in macro.items()} | {
            "best_val_loss": None, "best_epoch": 0}
        settings_of[candidate] = settings
        log(f"c1={settings['c1']} c2={settings['c2']}: validation macro-F1 {macro['f1']:.4f}")
    chosen = select_candidate(summaries, settings_of, rank_by)["candidate"]
    best = next(row for row in scores if row["candidate"] == chosen)
    final_data = list(train) + list(val) if retrain_on_train_val else list(train)
    FeatureCRF.fit(final_data, folder, best["c1"], best["c2"], max_iterations)
    selection = {"selected": best, "rank_by": rank_by, "candidates": scores,
                 "retrained_on_train_val": retrain_on_train_val}
    (folder / "selection.json").write_text(json.dumps(selection, indent=2) + "\n", encoding="utf-8")
    return selection
