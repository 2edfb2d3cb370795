"""The layers of DESIGN.md §3: the kernel imports no feature, and features do not import each other."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout
    assert "Layers: the kernel, then 政务公开" in result.stdout


def test_features_plug_in_through_entry_points(app):
    registry = app.extensions["kaimen"]
    # 政务公开 first: the services stand on it.
    assert registry.features == ["disclosure", "approvals", "complaints", "forum"]
    endpoints = [entry.endpoint for entry in registry.nav]
    assert endpoints == [
        "catalog.index",
        "forum.index",
        "forum.consultations",
        "approvals.index",
        "complaints.index",
        "complaints.statistics",
    ]


def test_a_service_alone_pulls_in_the_layer_it_stands_on(tmp_path):
    from portal import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'k.sqlite3'}",
            "SECRET_KEY": "x",
            "KAIMEN_INSTANCE_PATH": str(tmp_path),
            "KAIMEN_FEATURES": ["forum"],
        }
    )
    assert app.extensions["kaimen"].features == ["disclosure", "forum"]
    assert "catalog.index" in app.view_functions
    assert "complaints.index" not in app.view_functions


def test_load_order_refuses_missing_and_circular_requirements():
    import pytest

    from portal.features import load_order, requires

    @requires("b")
    def a(app):
        pass

    @requires("a")
    def b(app):
        pass

    with pytest.raises(RuntimeError, match="circle"):
        load_order({"a": lambda: a, "b": lambda: b}, None)
    with pytest.raises(RuntimeError, match="not installed"):
        load_order({"a": lambda: a}, None)

    def never_loaded():
        raise AssertionError("a feature nobody asked for was imported")

    def c(app):
        pass

    order = load_order({"a": never_loaded, "b": never_loaded, "c": lambda: c}, {"c"})
    assert order == [("c", c)]


PACKAGES = ("mailmime", "portal", "disclosure", "forum", "complaints", "approvals")


def _import_cycles() -> list[list[str]]:
    """Groups of modules that import each other, directly or round a circle (lazy imports too)."""
    import grimp

    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in imports[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return cycles


def test_no_two_files_import_each_other():
    assert _import_cycles() == []


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): _lines(path)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if _lines(path) > 500
    }
    assert long == {}


def test_the_kernel_stays_a_kernel():
    """portal/ holds what every feature needs, not the 政务公开 domain (which is disclosure/)."""
    total = sum(_lines(path) for path in (ROOT / "portal").rglob("*.py"))
    assert total < 7000
    assert not (ROOT / "portal" / "catalog").exists()
    assert not (ROOT / "portal" / "directory").exists()
