"""Training settings are defined once: `TrainSettings` (models/train/settings.py) holds the defaults and the
config schema's `definitions/settings` the allowed values; these tests tie the two (names, types, allowed
values, defaults) and the library constants the code branches on."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from clinical_ner.config import schema, validate_config
from clinical_ner.models.heads.decoding import DECODING_MODES
from clinical_ner.models.train.settings import COMPILE_MODES, EPOCH_SELECTIONS, JOB_SETTINGS, TrainSettings
from clinical_ner.models.units.subwords import UNITS

SETTINGS = schema()["definitions"]["settings"]
PROPERTIES = SETTINGS["properties"]
FIELDS = {field.name: field for field in dataclasses.fields(TrainSettings)}
HINTS = typing.get_type_hints(TrainSettings)
JSON_TYPES = {int: "integer", float: "number", bool: "boolean", type(None): "null"}
ENUMS = {"decoding": DECODING_MODES, "units": UNITS, "epoch_selection": EPOCH_SELECTIONS, "compile": COMPILE_MODES}


def json_types(hint: object) -> set[str]:
    members = typing.get_args(hint) or (hint,)
    return {JSON_TYPES[member] for member in members if member is not str}


def test_the_same_setting_names():
    assert set(PROPERTIES) == set(FIELDS) - set(JOB_SETTINGS)


@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_the_same_type_and_default(name):
    hint, spec = HINTS[name], PROPERTIES[name]
    if hint is str or str in typing.get_args(hint):  # a choice: the schema's enum is the library's tuple
        assert spec["enum"] == list(ENUMS[name]) and "type" not in spec, name
    else:
        declared = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
        assert set(declared) == json_types(hint), name
    assert spec["default"] == FIELDS[name].default, name


def test_the_library_constants_are_the_schema_enums():
    assert {name: tuple(PROPERTIES[name]["enum"]) for name in ENUMS} == {k: tuple(v) for k, v in ENUMS.items()}


@pytest.mark.parametrize("name, bad", [("epochs", 0), ("dropout", 1.5), ("decoding", "greedy"), ("units", "char"),
                                       ("epoch_selection", "last"), ("learning_rate", 0), ("max_steps", -1),
                                       ("compile", "max-autotune")])
def test_dataclass_and_schema_refuse_the_same_values(name, bad):
    with pytest.raises(ValueError, match=f"training setting {name}"):
        TrainSettings(**{name: bad})
    with pytest.raises(Exception, match=f"training/settings/{name}"):
        validate_config({"corpus": {"source": "synthetic"}, "training": {"settings": {name: bad}},
                         "encoders": {"s": {"source": "scratch", "architecture": {
                             "n_layers": 1, "dim": 8, "n_heads": 2, "hidden_dim": 8, "vocab_size": 200,
                             "max_position_embeddings": 16}}}})


def test_defaults_are_applied_by_the_dataclass_not_filled_into_the_config():
    """A per-encoder override holds only what it sets, so it never resets a global setting."""
    config = validate_config({"corpus": {"source": "synthetic"}, "training": {"settings": {"epochs": 2}},
                              "encoders": {"s": {"source": "scratch", "training": {"dropout": 0.2}, "architecture": {
                                  "n_layers": 1, "dim": 8, "n_heads": 2, "hidden_dim": 8, "vocab_size": 200,
                                  "max_position_embeddings": 16}}}})
    assert config["training"]["settings"] == {"epochs": 2}
    assert config["encoders"]["s"]["training"] == {"dropout": 0.2}
    assert TrainSettings.from_dict(config["training"]["settings"]).patience == PROPERTIES["patience"]["default"]
