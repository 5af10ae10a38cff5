"""Package layout: tsgan's modules import each other without a circle, counting the imports
inside functions too, and evaluation and plotting take a model instead of loading one."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.cli_helpers import REPO

PACKAGE = REPO / "tsgan"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The tsgan module ``name`` refers to: itself, or the package / module it lies in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> set[str]:
    """Every tsgan module ``module`` imports, at top level or inside functions and classes
    (``if TYPE_CHECKING:`` blocks included: a circle there is still a circle in the design)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from tsgan.x import y``: the module tsgan.x.y if there is one, else tsgan.x
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name == "tsgan" or name.startswith("tsgan."):
                target = _resolve(name)
                if target is not None and target != module:
                    found.add(target)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_the_graph_sees_function_level_imports() -> None:
    assert {"tsgan.api", "tsgan.runs", "tsgan.cli", "tsgan.cli.train"} <= set(MODULES)
    assert "tsgan.runs" in GRAPH["tsgan.api"]  # top level
    assert "tsgan.api" in GRAPH["tsgan.cli.train"]  # inside a function
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_circle() -> None:
    cycle = _find_cycle(GRAPH)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_runs_knows_nothing_of_the_model_class() -> None:
    assert "tsgan.api" not in GRAPH["tsgan.runs"]
    code = "import sys, tsgan.runs; print('tsgan.api' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_evaluation_and_plots_take_a_model() -> None:
    offenders = [module for module, imported in GRAPH.items()
                 if module.startswith(("tsgan.evaluate", "tsgan.viz")) and "tsgan.api" in imported]
    assert offenders == []


def test_one_cli_module_per_command() -> None:
    from tsgan.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in commands:
        assert f"tsgan.cli.{command}" in MODULES, command
