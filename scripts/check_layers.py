"""Check semcodec's import graph: no module imports a higher layer, and no import cycle.

Every ``import`` counts, also those inside functions (a lazy import is still an edge). Layers,
lowest first (docs/ARCHITECTURE.md):

    0  errors, deps, limits, locks, fileio, imageio,   what every layer may use
       progress
    1  codec/                              bit-exact core, no model library
    2  models/                             model registry, profiles, prompts, cache
    3  pipeline/                           configuration, encode/decode, search
    4  eval/, batch/                       datasets, metrics, runs; batch and Ray work
    5  commands/, cli, web/, __main__      what users run

Usage: ``python scripts/check_layers.py [SRC_DIR]``; prints the counts and every offending edge,
exits 1 if there is any. ``tests/test_layers.py`` runs it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LAYERS = {
    "errors": 0, "deps": 0, "fileio": 0, "imageio": 0, "limits": 0, "locks": 0, "progress": 0, "__init__": 0,
    "codec": 1, "models": 2, "pipeline": 3, "eval": 4, "batch": 4,
    "commands": 5, "cli": 5, "web": 5, "__main__": 5,
}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(["semcodec", *parts])


def layer_of(module: str) -> int:
    """The layer of ``semcodec.X...`` (the top-level name after ``semcodec``)."""
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def imports(path: Path, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The semcodec modules ``path`` imports (relative imports resolved), anywhere in the file.
    ``from pkg import mod`` is an edge to ``pkg.mod`` (the module), ``from pkg import name`` to
    ``pkg``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if is_package else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "semcodec"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "semcodec":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
    return found


def graph(root: Path) -> dict[str, set[str]]:
    """module -> the semcodec modules it imports (only names that are modules of the tree)."""
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    edges = {}
    for name, path in files.items():
        targets = imports(path, name, path.name == "__init__.py", set(files))
        edges[name] = {t for t in targets if t in files and t != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def check(root: Path) -> tuple[list[tuple[str, str]], list[list[str]], int]:
    """(upward edges, cycles, number of edges) of the tree under ``root`` (the semcodec package).

    A package's ``__init__`` re-exporting its own modules is not a cycle worth reporting, so edges
    from a package face into its own subtree are left out of the cycle search.
    """
    edges = graph(root)
    upward = [(a, b) for a, bs in edges.items() for b in sorted(bs) if layer_of(b) > layer_of(a)]
    inward = {a: {b for b in bs if not b.startswith(a + ".")} for a, bs in edges.items()}
    return upward, cycles(inward), sum(len(bs) for bs in edges.values())


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "src" / "semcodec"
    upward, loops, n = check(root)
    print(f"{n} import edges, {len(upward)} upward, {len(loops)} cycles")
    for a, b in upward:
        print(f"upward: {a} -> {b}")
    for comp in loops:
        print("cycle: " + " <-> ".join(comp))
    return 1 if upward or loops else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
