"""Every import of the package, type-only and late ones included, forms no cycle and none runs up.

The walk reads each module's syntax tree (every `import` wherever it stands: top level,
`if TYPE_CHECKING:`, inside functions; and `__import__`/`import_module` of a literal name), so it
sees what import-linter's contracts leave out (`exclude_type_checking_imports`).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = "hotfix_tui"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE  # the source, not an installed copy

# Layers from the top down (ARCHITECTURE.md): a module may import its own layer's modules or any
# layer below, never one above. Front ends: the command line, then the TUI, then the web board,
# then the core. Inside the core: team sync and the demo; opening, creating an incident, alerts;
# joining; the read-only views; the record; git; markdown, settings and folder discovery; the
# clocks; the workflow; the file store; hashing, errors, heap.
FRONT_LAYERS: list[set[str]] = [
    {"entry", "cli", "cli_git", "cli_output", "cli_repo", "cli_resolve", "cli_runs", "cli_serve",
     "cli_team", "cli_watch", "cli_runbook", "cli_followups"},
    {"tui"},
    {"web"},
    {"core"},
]
CORE_LAYERS: list[set[str]] = [
    {"sync", "demo", "live"},
    {"opening", "creating", "alerting"},
    {"joining"},
    {"reports", "speckit_runs", "runbook"},
    {"record"},
    {"git"},
    {"markdown", "config", "discovery"},
    {"clocks"},
    {"layouts", "workflow"},
    {"store"},
    {"hashing", "errors", "heap", "locking", "userdirs", "frozen"},
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The modules of this package that one syntax node imports."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            if not is_package:
                anchor = anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            yield sub if sub in known else base
    elif isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in {"__import__", "import_module"} and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value


def import_graph() -> dict[str, dict[str, int]]:
    """Each module's imports of the package's modules, with the line of the first one."""
    modules = _modules()
    known = set(modules)
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        edges: dict[str, int] = {}
        for node in ast.walk(tree):
            for target in _imported(node, name, path.name == "__init__.py", known):
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target.startswith(PACKAGE) and target != name:
                    edges.setdefault(target, getattr(node, "lineno", 0))
        graph[name] = edges
    return graph


def _child(package: str, module: str) -> str | None:
    """The child of `package` that holds `module` (None if it is not strictly inside)."""
    prefix = package + "."
    if not module.startswith(prefix):
        return None
    return prefix + module[len(prefix) :].split(".")[0]


def sibling_cycles(graph: dict[str, dict[str, int]]) -> list[str]:
    """Cycles among the children of each package (import-linter's `acyclic_siblings` rule)."""
    packages = {PACKAGE} | {m for m in graph if (ROOT.parent / m.replace(".", "/")).is_dir()}
    found: list[str] = []
    for package in sorted(packages):
        why: dict[tuple[str, str], str] = {}
        for importer, targets in graph.items():
            a = _child(package, importer)
            for imported, line in targets.items():
                b = _child(package, imported)
                if a and b and a != b:
                    why.setdefault((a, b), f"{importer}:{line} imports {imported}")
        for cycle in _cycles(why):
            hops = [why[(cycle[i], cycle[(i + 1) % len(cycle)])] for i in range(len(cycle))]
            found.append(f"{' -> '.join(cycle + [cycle[0]])}\n    " + "\n    ".join(hops))
    return found


def _cycles(edges: dict[tuple[str, str], str]) -> list[list[str]]:
    """One cycle through each strongly connected group of more than one node."""
    succ: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(succ):
        if v not in index:
            visit(v)
    cycles = []
    for group in groups:
        start = min(group)
        path, seen = [start], {start}
        while True:  # walk inside the group until it closes on a node already on the path
            nxt = next(w for w in succ[path[-1]] if w in group)
            if nxt in seen:
                cycles.append(path[path.index(nxt) :])
                break
            path.append(nxt)
            seen.add(nxt)
    return cycles


def _layer(layers: list[set[str]], child: str) -> int | None:
    for i, names in enumerate(layers):
        if child in names:
            return i
    return None


def upward_imports(graph: dict[str, dict[str, int]]) -> list[str]:
    """Imports from a lower layer to a higher one, front ends and core (see the layer lists)."""
    found: list[str] = []
    for package, layers in ((PACKAGE, FRONT_LAYERS), (f"{PACKAGE}.core", CORE_LAYERS)):
        for importer, targets in graph.items():
            a = _child(package, importer)
            if a is None:
                continue
            la = _layer(layers, a.rsplit(".", 1)[1])
            for imported, line in targets.items():
                b = _child(package, imported)
                if b is None or b == a:
                    continue
                lb = _layer(layers, b.rsplit(".", 1)[1])
                if la is not None and lb is not None and lb < la:
                    found.append(f"{importer}:{line} imports {imported}")
    return found


def test_every_module_of_the_core_and_the_package_has_a_layer() -> None:
    graph = import_graph()
    unplaced = set()
    for package, layers in ((PACKAGE, FRONT_LAYERS), (f"{PACKAGE}.core", CORE_LAYERS)):
        for module in graph:
            child = _child(package, module)
            if child is None:
                continue
            name = child.rsplit(".", 1)[1]
            if name != "__main__" and _layer(layers, name) is None:
                unplaced.add(child)
    where = "tests/core/test_import_shape.py"
    assert not unplaced, f"place these in a layer of {where}: {sorted(unplaced)}"


def test_no_import_cycle_even_type_only_among_the_children_of_any_package() -> None:
    cycles = sibling_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_no_module_imports_one_of_a_higher_layer() -> None:
    upward = upward_imports(import_graph())
    assert not upward, "imports from a lower layer to a higher one:\n" + "\n".join(upward)


@pytest.mark.parametrize(
    ("source", "expect"),
    [
        # A type-only import closing a loop is a cycle to this walk.
        (
            {
                "a": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from p import b\n",
                "b": "def f():\n    from p import a\n",
            },
            ["p.a -> p.b -> p.a"],
        ),
        ({"a": "from p import b\n", "b": "x = 1\n"}, []),
        ({"a": "import p.b\n", "b": "from .a import x\n"}, ["p.a -> p.b -> p.a"]),
    ],
)
def test_the_walk_sees_type_only_late_and_relative_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: dict[str, str], expect: list[str]
) -> None:
    pkg = tmp_path / "p"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name, text in source.items():
        (pkg / f"{name}.py").write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", pkg)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", "p")
    found = [c.split("\n")[0] for c in sibling_cycles(import_graph())]
    assert found == expect
