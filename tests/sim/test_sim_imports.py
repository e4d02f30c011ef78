"""The simulator's modules import one another one way: no cycles, counting every import statement
(inside functions and under ``if TYPE_CHECKING:`` too, as grimp and import-linter count them).

The cycles this guards against were ``server <-> api.*`` (handlers typed their argument with the
server's SimState) and ``cluster <-> {lifecycle, controllers, policy, autoscaling, bootstrap}``
(the cluster's parts typed ``self`` as the Cluster that inherits them)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIM = ROOT / "memtui" / "sim"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the memtui.sim modules it imports (a name imported from a package counts as its
    module when it is one, as grimp counts it)."""
    files = {_module_name(p): p for p in SIM.rglob("*.py") if "__pycache__" not in p.parts}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base for alias in node.names]
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_the_simulators_imports():
    """Guards the test below: the graph must hold the edges that exist."""
    graph = _import_graph()
    assert "memtui.sim.api.context" in graph["memtui.sim.api.reads"]  # under TYPE_CHECKING
    assert "memtui.sim.api.writes" in graph["memtui.sim.api.routes"]  # inside a function
    assert "memtui.sim.api.control" in graph["memtui.sim.server"]  # `from .api import control`
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_the_simulator_has_no_import_cycle():
    assert _cycles(_import_graph()) == []
