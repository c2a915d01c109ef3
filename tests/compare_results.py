"""Compare two `results/` folders file by file, byte for byte (issue 8: the restructured DAG must give the
same outputs as before, apart from intended changes).

    python tests/compare_results.py BASELINE/results NEW/results

Skipped, because they differ between any two runs: `logs/` and `benchmarks/` (timings), `.snakemake/`,
PDF files (matplotlib writes a creation date) and `report.html`. Timing fields (`TIMING_FIELDS`: the
`seconds` and `tokens_per_second` columns of `history.csv`, `seconds` keys in JSON) are removed before
comparing; everything else, model weights included, must be byte-identical. Prints the identical count,
every differing file (with the first differing line of text files) and the files only one side has;
exits 1 if anything differs.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = frozenset({"logs", "benchmarks", ".snakemake"})
SKIP_SUFFIXES = frozenset({".pdf"})
SKIP_NAMES = frozenset({"report.html"})
TIMING_FIELDS = frozenset({"seconds", "tokens_per_second"})


@dataclass
class Comparison:
    identical: list[str] = field(default_factory=list)
    different: list[str] = field(default_factory=list)
    only_baseline: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (self.different or self.only_baseline or self.only_new)


def compared_files(root: Path) -> set[str]:
    """Relative paths of the files that are compared under `root`."""
    files = set()
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        skipped = SKIP_DIRS & set(relative.parts[:-1]) or path.suffix in SKIP_SUFFIXES or path.name in SKIP_NAMES
        if path.is_file() and not skipped:
            files.add(relative.as_posix())
    return files


def _without_timings(value):
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMING_FIELDS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def content(path: Path) -> bytes:
    """The bytes compared: the file's, less its timing fields (CSV columns, JSON keys)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        return json.dumps(_without_timings(json.loads(data)), sort_keys=True).encode()
    if path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        if rows and TIMING_FIELDS & set(rows[0]):
            keep = [i for i, name in enumerate(rows[0]) if name not in TIMING_FIELDS]
            return "\n".join(",".join(row[i] for i in keep) for row in rows).encode()
    return data


def compare(baseline: Path, new: Path) -> Comparison:
    old_files, new_files = compared_files(baseline), compared_files(new)
    result = Comparison(only_baseline=sorted(old_files - new_files), only_new=sorted(new_files - old_files))
    for name in sorted(old_files & new_files):
        same = content(baseline / name) == content(new / name)
        (result.identical if same else result.different).append(name)
    return result


def first_difference(a: Path, b: Path) -> str:
    try:
        lines_a, lines_b = a.read_text().splitlines(), b.read_text().splitlines()
    except UnicodeDecodeError:
        return "binary"
    for number, (x, y) in enumerate(zip(lines_a, lines_b), start=1):
        if x != y:
            return f"line {number}: {x[:100]!r} != {y[:100]!r}"
    return f"{len(lines_a)} vs {len(lines_b)} lines"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", type=Path)
    parser.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    result = compare(args.baseline, args.new)
    print(f"identical: {len(result.identical)} files")
    for name in result.different:
        print(f"DIFFERENT {name}: {first_difference(args.baseline / name, args.new / name)}")
    for name in result.only_baseline:
        print(f"ONLY IN BASELINE {name}")
    for name in result.only_new:
        print(f"ONLY IN NEW {name}")
    return 0 if result.same else 1


if __name__ == "__main__":
    sys.exit(main())
