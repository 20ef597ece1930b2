"""The package's imports point down the layers and never form a circle.

Every ``import`` and ``from … import`` in ``src/stationplan`` is read from the source
(module level, inside functions and under ``TYPE_CHECKING`` alike), so a lazy import
cannot hide an upward dependency. docs/architecture.md explains the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "stationplan"

#: Layer of each top-level part of the package. A module may import from a lower layer
#: and from its own part, never from a higher layer or from another part of its layer.
LAYERS: dict[str, int] = {
    "errors": 0,
    "tomlfiles": 1,
    "orbit": 2,
    "launch": 3,
    "screening": 3,
    "planning": 4,
    "station": 5,
    "moon": 5,
    "report": 6,
    "services": 7,
    "cli": 8,
    "web": 8,
}
#: Entry points that sit above everything.
TOP = {"__main__": 9, "__init__": 9}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the stationplan modules ``path`` imports (relative ones resolved)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("stationplan"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("stationplan"):
                continue
            found.add(target)
            # ``from stationplan.cli import plan`` imports the module stationplan.cli.plan.
            for alias in node.names:
                if (
                    (PACKAGE.parent / (target + "." + alias.name).replace(".", "/"))
                    .with_suffix(".py")
                    .exists()
                ):
                    found.add(f"{target}.{alias.name}")
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in root.rglob("*.py")}
    return {
        name: {m for m in imported_modules(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(module: str) -> int:
    part = part_of(module)
    if part in LAYERS:
        return LAYERS[part]
    if part in TOP:
        return TOP[part]
    raise AssertionError(f"{module}: part {part!r} has no layer; add it to LAYERS and the docs")


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            if part_of(module) == part_of(target):
                continue
            if layer_of(target) >= layer_of(module):
                found.append(
                    f"{module} (layer {layer_of(module)}) imports {target} "
                    f"(layer {layer_of(target)})"
                )
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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


def test_every_part_of_the_package_has_a_layer():
    for module in import_graph():
        layer_of(module)


def test_imports_only_point_down_the_layers():
    assert upward_imports(import_graph()) == []


def test_no_module_imports_itself_in_a_circle():
    assert cycles(import_graph()) == []


def test_command_modules_import_neither_the_app_nor_another_command():
    graph = import_graph()
    shared = {"stationplan.cli.console", "stationplan.cli.opportunities"}
    commands = {m for m in graph if m.startswith("stationplan.cli.")} - shared
    commands -= {"stationplan.cli.app"}
    for command in sorted(commands):
        wrong = {t for t in graph[command] if t.startswith("stationplan.cli.")} - shared
        assert wrong == set(), f"{command} imports {sorted(wrong)}"


def test_the_checker_finds_an_upward_import_and_a_circle(tmp_path):
    root = tmp_path / "stationplan"
    (root / "orbit").mkdir(parents=True)
    (root / "launch").mkdir()
    (root / "__init__.py").write_text("")
    (root / "orbit" / "__init__.py").write_text("")
    (root / "launch" / "__init__.py").write_text("")
    (root / "orbit" / "geometry.py").write_text(
        "def f():\n    from stationplan.launch.sites import Site\n"
    )
    (root / "launch" / "sites.py").write_text("from .windows import x\n")
    (root / "launch" / "windows.py").write_text("from stationplan.launch import sites\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, root
    try:
        graph = import_graph(root)
        assert upward_imports(graph) == [
            "stationplan.orbit.geometry (layer 2) imports stationplan.launch.sites (layer 3)"
        ]
        assert cycles(graph) == [["stationplan.launch.sites", "stationplan.launch.windows"]]
    finally:
        PACKAGE = saved


@pytest.mark.parametrize("part", sorted(LAYERS))
def test_docs_architecture_names_every_layer(part):
    text = (PACKAGE.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    if (PACKAGE / part).exists() or (PACKAGE / f"{part}.py").exists():
        assert f"`{part}" in text
