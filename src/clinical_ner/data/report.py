"""What the data layer read, kept and dropped: one `CorpusReport` per source, merged for report.json."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DROP_REASONS: tuple[str, ...] = ("unmapped_type", "overlap", "whitespace_only")


@dataclass
class CorpusReport:
    """Counts for one source (train/test/dev); all dropped or skipped input is counted here.

    Entity balance (checked by `consistency_errors`, valid once every document is encoded):
    entities_read == entities_mapped + dropped[unmapped_type], and
    entities_mapped + fragments_added == entities_kept + dropped[whitespace_only] + duplicates + dropped[overlap].
    """

    source: str = ""
    documents: int = 0
    documents_without_ann: int = 0
    empty_documents: int = 0
    entities_read: int = 0
    entities_mapped: int = 0
    entities_kept: int = 0
    read_by_type: Counter[str] = field(default_factory=Counter)
    kept_by_type: Counter[str] = field(default_factory=Counter)
    dropped: dict[str, Counter[str]] = field(default_factory=lambda: {r: Counter() for r in DROP_REASONS})
    discontinuous_split: int = 0
    fragments_added: int = 0
    trimmed: int = 0
    duplicates: int = 0
    skipped_lines: Counter[str] = field(default_factory=Counter)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    sentences: int = 0
    tokens: int = 0
    sentence_boundaries_merged: int = 0
    tokens_cut_at_entity_boundaries: int = 0  # raw tokens split so that every entity is whole tokens

    def warn(self, file: str | Path, line: int | None, message: str) -> None:
        self.warnings.append({"file": str(file), "line": line, "message": message})

    def drop(self, reason: str, entity_type: str, count: int = 1) -> None:
        if reason not in self.dropped:
            raise ValueError(f"unknown drop reason {reason!r}; expected one of {DROP_REASONS}")
        self.dropped[reason][entity_type] += count

    def dropped_total(self, reason: str) -> int:
        return sum(self.dropped[reason].values())

    def consistency_errors(self) -> list[str]:
        """Broken entity-balance equations (empty when the counts add up)."""
        errors = []
        unmapped = self.dropped_total("unmapped_type")
        if self.entities_read != self.entities_mapped + unmapped:
            errors.append(f"read {self.entities_read} != mapped {self.entities_mapped} + unmapped {unmapped}")
        lost = self.dropped_total("whitespace_only") + self.duplicates + self.dropped_total("overlap")
        if self.entities_mapped + self.fragments_added != self.entities_kept + lost:
            errors.append(
                f"mapped {self.entities_mapped} + fragments added {self.fragments_added} != "
                f"kept {self.entities_kept} + whitespace-only/duplicates/overlap {lost}"
            )
        if sum(self.kept_by_type.values()) != self.entities_kept:
            errors.append("kept_by_type does not sum to entities_kept")
        return errors

    def merge(self, other: CorpusReport) -> CorpusReport:
        """A new report adding up `self` and `other` (warnings concatenated)."""
        merged = CorpusReport(source="+".join(s for s in (self.source, other.source) if s))
        for name in _COUNTS:
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        for name in _COUNTERS:
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        for reason in set(self.dropped) | set(other.dropped):
            merged.dropped[reason] = self.dropped.get(reason, Counter()) + other.dropped.get(reason, Counter())
        merged.warnings = self.warnings + other.warnings
        return merged

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (counters as sorted plain dicts)."""
        data: dict[str, Any] = {"source": self.source}
        data.update({name: getattr(self, name) for name in _COUNTS})
        data.update({name: _plain(getattr(self, name)) for name in _COUNTERS})
        data["dropped"] = {reason: _plain(counts) for reason, counts in self.dropped.items()}
        data["dropped_totals"] = {reason: self.dropped_total(reason) for reason in self.dropped}
        data["warnings"] = [dict(w) for w in self.warnings]
        data["consistency_errors"] = self.consistency_errors()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CorpusReport:
        """Inverse of `to_dict` (derived keys ignored), e.g. to merge per-source report files."""
        report = cls(source=data.get("source", ""))
        for name in _COUNTS:
            setattr(report, name, int(data.get(name, 0)))
        for name in _COUNTERS:
            setattr(report, name, Counter(data.get(name, {})))
        for reason, counts in data.get("dropped", {}).items():
            report.dropped[reason] = Counter(counts)
        report.warnings = [dict(w) for w in data.get("warnings", [])]
        return report


_COUNTS = (
    "documents", "documents_without_ann", "empty_documents", "entities_read", "entities_mapped",
    "entities_kept", "discontinuous_split", "fragments_added", "trimmed", "duplicates",
    "sentences", "tokens", "sentence_boundaries_merged", "tokens_cut_at_entity_boundaries",
)
_COUNTERS = ("read_by_type", "kept_by_type", "skipped_lines")


def _plain(counter: Mapping[str, int]) -> dict[str, int]:
    return {key: int(counter[key]) for key in sorted(counter) if counter[key]}


def unmatched_keys(read_by_type: Mapping[str, int], label_map: Mapping[str, str] | None) -> list[str]:
    """Label-map keys (source types) that no annotation read has: misspelt or absent types, in map order."""
    return [key for key in (label_map or {}) if not read_by_type.get(key)]


def combine_reports(reports: Mapping[str, CorpusReport], label_map: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The report.json layout: `{"sources": {name: report}, "total": merged report, "label_map": {...}}`;
    ``label_map`` counts the keys of `label_map` that match no annotation of any source (``unmatched``)."""
    total = CorpusReport(source="total")
    for report in reports.values():
        total = total.merge(report)
    total.source = "total"
    unmatched = unmatched_keys(total.read_by_type, label_map)
    return {
        "sources": {name: r.to_dict() for name, r in reports.items()},
        "total": total.to_dict(),
        "label_map": {"keys": len(label_map or {}), "unmatched": len(unmatched), "unmatched_keys": unmatched},
    }
