"""The shape of `src/clinical_ner` as docs/architecture.md draws it: no import circle, no module over 400
lines, no snakemake import, and `models/` split by concept (only the tagger and the device choice, shared by
training and prediction, sit at its top)."""

from __future__ import annotations

import ast
from pathlib import Path

from workflow_helpers import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "clinical_ner"
MAX_LINES = 400
MODELS_TOP = {"__init__.py", "tagger.py", "device.py"}
MODELS_SUBPACKAGES = {"encoders", "units", "heads", "train", "predict", "baselines", "cards", "sizes"}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")


def imports_of(path: Path) -> set[str]:
    """Every clinical_ner module `path` imports, at the top or inside a function (`from clinical_ner.x
    import y` counts y when y is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("clinical_ner"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("clinical_ner"))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: imports_of(path) & modules.keys() - {name} for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_src():
    # package __init__ files import nothing here, so a parent package never closes a loop
    assert circles(import_graph()) == []


def test_no_module_over_400_lines():
    long = {module_name(p): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_src_never_imports_snakemake():
    assert [module_name(p) for p in PACKAGE.rglob("*.py") if any(i.split(".")[0] == "snakemake" for i in
            {n.module or "" for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.ImportFrom)}
            | {a.name for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.Import) for a in n.names})] == []


def test_models_is_split_by_concept():
    models = PACKAGE / "models"
    assert {p.name for p in models.glob("*.py")} == MODELS_TOP
    assert {p.name for p in models.iterdir() if p.is_dir() and p.name != "__pycache__"} == MODELS_SUBPACKAGES
    for sub in MODELS_SUBPACKAGES:
        assert ast.get_docstring(ast.parse((models / sub / "__init__.py").read_text())), sub
