"""Fill the generated blocks of README.md and docs/*.md from the result files (`make docs`).

A block is written in a page as

    <!-- results:<name> -->
    (anything: replaced)
    <!-- /results:<name> -->

and <name> is a key of `result_blocks.BLOCKS`, whose function renders the block's Markdown from
benchmarks/results/. Numbers about measurements live only inside such blocks, so they cannot drift from their
files: tests/test_docs_blocks.py regenerates every block and fails on any difference.

    python benchmarks/docs_blocks.py            # rewrite the stale blocks
    python benchmarks/docs_blocks.py --check    # list the stale blocks, exit 1 if any
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from result_blocks import BLOCKS, RESULTS

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- results:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /results:(?P=name) -->)", re.S)
OPENING = re.compile(r"<!-- results:([\w-]+) -->")


def pages(root: Path = ROOT) -> list[Path]:
    """The documentation pages that may hold blocks."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def block_names(text: str) -> list[str]:
    """The names of the blocks opened in `text`, in order."""
    return OPENING.findall(text)


def fill(text: str, results: Path = RESULTS,
         blocks: Mapping[str, Callable[[Path], str]] = BLOCKS, where: str = "text") -> str:
    """`text` with every block's body rendered afresh; an unknown name or an unclosed block is an error."""
    opened = block_names(text)
    closed = [match.group("name") for match in BLOCK.finditer(text)]
    if opened != closed:
        raise ValueError(f"{where}: block(s) not closed by <!-- /results:<name> -->: "
                         f"{', '.join(sorted(set(opened) - set(closed)) or opened)}")
    unknown = sorted(set(opened) - set(blocks))
    if unknown:
        raise ValueError(f"{where}: unknown block(s) {', '.join(unknown)}; known: {', '.join(sorted(blocks))}")

    def render(match: re.Match[str]) -> str:
        body = blocks[match.group("name")](results).strip("\n") + "\n"
        return match.group(1) + body + match.group(4)

    return BLOCK.sub(render, text)


def stale(root: Path = ROOT, results: Path = RESULTS) -> dict[Path, str]:
    """The pages whose blocks differ from a fresh rendering, with that rendering."""
    found = {}
    for page in pages(root):
        text = page.read_text(encoding="utf-8")
        fresh = fill(text, results, where=str(page.relative_to(root)))
        if fresh != text:
            found[page] = fresh
    return found


def main(argv: list[str] | None = None, root: Path = ROOT, results: Path = RESULTS) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only list the pages with stale blocks")
    args = parser.parse_args(argv)
    changed = stale(root, results)
    for page, text in changed.items():
        name = page.relative_to(root)
        if args.check:
            print(f"stale: {name}")
        else:
            page.write_text(text, encoding="utf-8")
            print(f"rewrote: {name}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
