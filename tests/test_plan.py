"""The study plan (clinical_ner.plan) on the shipped configs: runs, tables, targets, inputs."""

from pathlib import Path

import pytest

from clinical_ner import config as cfg
from clinical_ner.models.train.final import final_training
from clinical_ner.plan import encoders, outputs, runs

ROOT = Path(__file__).resolve().parents[1]
PHEE = {"corpus": {"train": "/phee/train", "test": "/phee/test", "dev": "/phee/dev"}}


def load(*files: str, extra: dict | None = None) -> dict:
    layers = [cfg.read_config_file(ROOT / "config.yaml")] + [cfg.read_config_file(ROOT / f) for f in files]
    return cfg.validate_config(cfg.layer_configs(layers + [extra or {}]), check_paths=False)


@pytest.fixture(scope="module")
def default():
    return load()


def test_default_grid_runs_and_curves(default):
    assert runs.all_models(default) == [
        "minilm-apt", "minilm-crf", "minilm_tapt-apt", "minilm_tapt-crf",
        "scratch-apt", "scratch-crf", "bilstm-apt", "bilstm-crf", "crfsuite-none",
    ]  # fmt: skip
    assert runs.regimes(default) == ["full", "downsampled"]
    assert runs.table_runs(default)[0] == ("minilm-apt", "full", 42)
    assert len(runs.table_runs(default)) == 18  # 9 models x 2 regimes x 1 seed
    curves = set(default["learning_curve_models"])
    subsets = [r for r in runs.all_runs(default) if r["fraction"] != "1"]
    assert {r["model"] for r in subsets} == curves and {r["fraction"] for r in subsets} == {"0.25", "0.5"}
    assert {r["model"] for r in runs.curve_runs(default)} == curves
    assert runs.learning_curves_wanted(default)
    assert {r["model"] for r in runs.figure_runs(default)} == set(cfg.model_names(default))  # no feature CRF
    assert runs.from_scratch_models(default) == [
        "scratch-apt",
        "scratch-crf",
        "bilstm-apt",
        "bilstm-crf",
        "crfsuite-none",
    ]
    assert runs.pretrained_models(default) == ["minilm-apt", "minilm-crf", "minilm_tapt-apt", "minilm_tapt-crf"]
    assert runs.adapted_encoders(default) == ["minilm_tapt"] and runs.stand_in_encoders(default) == []


def test_default_tables_and_targets(default):
    stems = outputs.table_stems(runs.regimes(default))
    assert len(stems) == 17 and stems[-1] == "regime_comparison" and "spans_per_type_downsampled" in stems
    targets = outputs.all_targets(default)
    assert len(targets) == len(set(targets)) == 259
    assert "results/tables/learning_curves.md" in targets
    assert "results/figures/forest_downsampled.png" in targets
    assert "results/errors/full/crfsuite-none.html" in targets
    assert "results/eval/minilm-crf/full/f0.5/seed42/summary.json" in targets
    assert "results/figures/runs/crfsuite-none/full/reliability.png" not in targets
    assert outputs.protocol_scope(default) == "protocol: word, scored on word-level tags"


def test_table_catalogue_one_regime():
    assert outputs.table_stems(["full"]) == [f"{table}_full" for table in outputs.PER_REGIME_TABLES]


def test_paper_protocol_plan():
    paper = load("config/paper.yaml")
    assert runs.all_models(paper)[:2] == ["bert-apt", "bert-crf"] and "crfsuite-none" in runs.all_models(paper)
    assert all(r["fraction"] == "1" for r in runs.all_runs(paper)) and not runs.learning_curves_wanted(paper)
    assert len(runs.table_runs(paper)) == 18
    targets = outputs.all_targets(paper)
    assert len(targets) == 214 and "results/tables/learning_curves.md" not in targets
    assert outputs.protocol_scope(paper) == (
        "protocol: paper, scored on sub-word tags (Feature CRF (crfsuite): word-level tags)"
    )
    for spec in outputs.study_figure_specs(paper).values():
        assert spec["title"].endswith(f"({outputs.protocol_scope(paper)})")
        assert all(path.startswith("results/eval/") and "/f1/seed42/" in path for _, path in spec["panels"])


def test_phee_plan_three_seeds_one_regime():
    phee = load("config/phee.yaml", extra=PHEE)
    assert runs.regimes(phee) == ["full"] and cfg.seeds(phee) == [42, 43, 44]
    assert runs.model_seeds(phee, "crfsuite-none") == [42] and runs.model_seeds(phee, "minilm-crf") == [42, 43, 44]
    assert len(runs.table_runs(phee)) == 13  # 4 neural models x 3 seeds + the feature CRF once
    assert all(r["seed"] == 42 for r in runs.all_runs(phee) if r["fraction"] != "1")  # subsets: first seed
    assert outputs.table_stems(["full"]) == outputs.table_stems(runs.regimes(phee))
    assert len(outputs.all_targets(phee)) == 192  # every model on every training fraction
    assert len([r for r in runs.all_runs(phee) if r["model"] == "minilm_tapt-crf" and r["fraction"] != "1"]) == 3
    assert runs.sources(phee) == ["train", "test", "dev"] and encoders.corpus_folder(phee, "dev") == "/phee/dev"


def test_stand_ins_built_by_the_pipeline():
    stand_ins = load("config/stand-ins.yaml")
    assert runs.stand_in_encoders(stand_ins) == ["bert", "biobert", "clinicalbert"]
    assert runs.pretrained_models(stand_ins) == []  # stand-ins are not pre-trained models
    assert encoders.encoder_source(stand_ins, "bert") == "results/encoders/bert"
    assert encoders.architecture_inputs(stand_ins) == {
        e: f"results/encoders/{e}" for e in ("bert", "biobert", "clinicalbert")
    }
    assert encoders.training_inputs(stand_ins, "full", "0.5", "bert") == {
        "train": "results/data/full/train_f0.5.jsonl",
        "val": "results/data/full/val.jsonl",
        "encoder": "results/encoders/bert",
    }
    assert len(outputs.all_targets(stand_ins)) == 301


def test_own_corpus_held_out_test():
    own = load("config/own-corpus.yaml", extra={"corpus": {"train": "/phee/train"}})
    assert runs.all_models(own) == ["scratch-crf"] and encoders.held_out(own)
    assert encoders.corpus_folder(own, "test") == "results/corpus/held_out/test"
    assert encoders.corpus_input(own, "train") == "results/corpus/held_out/train"
    provenance = encoders.training_provenance(own, "full")
    assert provenance["corpus"]["train"] == "/phee/train" and provenance["downsample"] is None
    assert set(provenance["corpus"]["held_out_test"]) == {"fraction", "seed"}
    targets = outputs.all_targets(own)
    assert len(targets) == 25 and not any("forest" in t or "regime_comparison" in t for t in targets)


def test_candidate_inputs_paper_validates_on_full():
    paper = load("config/paper.yaml")
    assert encoders.candidate_inputs(paper, "downsampled")["val"] == "results/data/full/val.jsonl"
    assert encoders.training_inputs(paper, "downsampled")["val"] == "results/data/downsampled/val.jsonl"


@pytest.mark.parametrize(
    ("candidate", "retrain_on_train_val", "fraction", "seed", "keep", "retrain"),
    [
        ("hp0", False, "1", 42, True, False),  # the candidate is the final model
        ("hp0", False, "1", 43, False, False),  # another seed: trained again on train
        ("hp0", False, "0.5", 42, False, False),  # a subset: trained again on train
        ("hp0", True, "1", 42, False, True),  # retrain on train+validation
        ("hp0", True, "0.5", 43, False, True),
        ("pinned", False, "1", 42, False, True),  # pinned settings: no candidate to keep
        ("pinned", True, "0.25", 7, False, True),
    ],
)
def test_final_training_decision(candidate, retrain_on_train_val, fraction, seed, keep, retrain):
    decision = final_training(candidate, retrain_on_train_val, fraction, seed, candidate_seed=42)
    assert (decision.keep, decision.retrain) == (keep, retrain)


def test_training_priority_starts_the_longest_jobs_first(default):
    order = sorted(
        [(encoder, fraction) for encoder in ("minilm", "minilm_tapt", "scratch", "bilstm") for fraction in ("1", "0.5", "0.25")],
        key=lambda job: -runs.training_priority(default, *job),
    )
    assert order[:2] == [("minilm", "1"), ("minilm_tapt", "1")]  # real-size encoders on the whole split first
    real = {(e, f) for e in ("minilm", "minilm_tapt") for f in ("1", "0.5", "0.25")}
    assert set(order[:6]) == real  # then their subsets, before any from-scratch job
    assert runs.training_priority(default, "scratch", "1") > runs.training_priority(default, "scratch", "0.25")
    assert all(0 <= runs.training_priority(default, *job) < runs.ADAPT_PRIORITY for job in order)
    assert runs.ADAPT_PRIORITY == 31
