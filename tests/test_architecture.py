"""The import structure: dependencies run one way, and the two sides of the wire stay apart.

Read from the source (every import counts, those for type checking too), so a collaborator that
starts importing the hub, or an `smpp` module that reaches for Home Assistant, fails here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "smsc"
SIMULATOR = REPO / "simulator"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path) -> dict[str, Path]:
    return {module_name(path): path for path in sorted(root.rglob("*.py"))}


def imported(path: Path) -> Iterator[str]:
    """The absolute names of every module a file imports, relative imports resolved."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            yield source
            # `from . import x` may name a module rather than a name of the package.
            yield from (f"{source}.{alias.name}" for alias in node.names)


def import_graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {
        name: {target for target in imported(path) if target in known and target != name}
        for name, path in known.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_integrations_imports_run_one_way() -> None:
    graph = import_graph(INTEGRATION)
    assert "custom_components.smsc.hub" in graph
    assert cycles(graph) == []


def test_the_hubs_parts_never_import_it() -> None:
    """The hub hands its parts what they need (a way to send, the tracker), not itself."""
    graph = import_graph(INTEGRATION)
    hub = "custom_components.smsc.hub"
    for part in sorted(graph[hub]):
        assert hub not in graph[part], part
    assert {
        "custom_components.smsc.assist",
        "custom_components.smsc.escalation",
        "custom_components.smsc.reports",
    } <= graph[hub]


def test_the_protocol_library_knows_no_home_assistant() -> None:
    smpp = INTEGRATION / "smpp"
    for path in smpp.rglob("*.py"):
        outside = {
            target
            for target in imported(path)
            if target.startswith("homeassistant")
            or (target.startswith("custom_components") and not target.startswith(module_name(smpp)))
        }
        assert outside == set(), path.name


def test_the_simulator_imports_nothing_of_the_integration() -> None:
    """A codec bug cannot hide by being on both sides of the wire."""
    for path in SIMULATOR.rglob("*.py"):
        assert not any(
            target.startswith(("custom_components", "homeassistant")) for target in imported(path)
        ), path.name
    assert cycles(import_graph(SIMULATOR)) == []


def test_a_cycle_is_found() -> None:
    """The check itself: a loop of two, however it is reached, is reported once."""
    graph = {"a": {"b"}, "b": {"a", "c"}, "c": set(), "d": {"a"}}
    assert cycles(graph) == [["a", "b"]]
