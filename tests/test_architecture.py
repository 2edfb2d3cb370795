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
    assert registry.features == ["disclosure", "complaints", "forum"]
    endpoints = [entry.endpoint for entry in registry.nav]
    assert endpoints == [
        "catalog.index",
        "forum.index",
        "forum.consultations",
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
        load_order({"a": a, "b": b}, None)
    with pytest.raises(RuntimeError, match="not installed"):
        load_order({"a": a}, None)
