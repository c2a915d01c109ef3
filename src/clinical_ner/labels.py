"""The target entity types and the BIO (IOB2) label set built from them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

ENTITY_TYPES: tuple[str, ...] = (
    "ADE", "Dosage", "Drug", "Duration", "Form", "Frequency", "Reason", "Route", "Strength",
)
OUTSIDE = "O"


def bio_labels(types: Iterable[str] = ENTITY_TYPES) -> list[str]:
    """`O` followed by `B-T`, `I-T` for each type in the given order (the label map's; the study's types are
    sorted): 19 labels for the 9 study types. A set is sorted, so that the order never depends on hashing."""
    labels = [OUTSIDE]
    for entity_type in ordered_types(types):
        labels += [f"B-{entity_type}", f"I-{entity_type}"]
    return labels


def ordered_types(types: Iterable[str]) -> list[str]:
    """Types once each, in the given order (sorted when given as a set)."""
    return sorted(types) if isinstance(types, (set, frozenset)) else list(dict.fromkeys(types))


def entity_type(tag: str) -> str:
    """The entity type of a BIO tag (`B-Drug` -> `Drug`), `O` for outside."""
    return tag if tag == OUTSIDE else tag.split("-", 1)[1]


def token_level(tags: Iterable[str]) -> list[str]:
    """Merge B-/I- prefixes: the token-level view of a tag sequence."""
    return [entity_type(tag) for tag in tags]


def map_label(source: str, label_map: Mapping[str, str] | None) -> str | None:
    """Target type for a source annotation type; None when the map drops it (identity if no map)."""
    if label_map is None:
        return source
    return label_map.get(source)
