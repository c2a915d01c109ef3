"""The target entity types and the BIO (IOB2) label set built from them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

ENTITY_TYPES: tuple[str, ...] = (
    "ADE", "Dosage", "Drug", "Duration", "Form", "Frequency", "Reason", "Route", "Strength",
)
OUTSIDE = "O"


def bio_labels(types: Iterable[str] = ENTITY_TYPES) -> list[str]:
    """`O` followed by `B-T`, `I-T` for each type in sorted order (19 labels for the 9 study types)."""
    labels = [OUTSIDE]
    for entity_type in sorted(types):
        labels += [f"B-{entity_type}", f"I-{entity_type}"]
    return labels


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
