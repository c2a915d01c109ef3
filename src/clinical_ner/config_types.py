"""Strings given the type the config schema asks for: Snakemake passes the values nested in ``--config``
(``training='{retrain_on_train_val: false}'``) as strings, which YAML reads as what they say."""

from __future__ import annotations

import copy
from typing import Any

import yaml


def type_strings(config: dict[str, Any], validator: Any) -> None:
    """In place: each string where the schema (`validator`) wants another type and YAML reads the string as
    that type (``"false"``, ``"3"``, ``"[1, 2]"``) becomes that value; other strings are left alone."""
    for _ in range(20):  # each pass fixes what the last one uncovered (defaults, nested keys)
        changed = False
        for error in validator.iter_errors(copy.deepcopy(config)):
            if error.validator != "type" or not isinstance(error.instance, str) or not error.absolute_path:
                continue
            expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            try:
                value = yaml.safe_load(error.instance)
            except yaml.YAMLError:
                continue
            if any(_is_type(value, name) for name in expected):
                *parents, last = error.absolute_path
                holder: Any = config
                for key in parents:
                    holder = holder[key]
                holder[last] = value
                changed = True
        if not changed:
            return


def _is_type(value: Any, name: str) -> bool:
    checks = {"boolean": lambda v: isinstance(v, bool), "null": lambda v: v is None,
              "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "array": lambda v: isinstance(v, list), "object": lambda v: isinstance(v, dict)}
    return name in checks and checks[name](value)
