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
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_features_plug_in_through_entry_points(app):
    registry = app.extensions["kaimen"]
    assert registry.features == ["complaints", "forum"]
    endpoints = [entry.endpoint for entry in registry.nav]
    assert endpoints == [
        "catalog.index",
        "forum.index",
        "forum.consultations",
        "complaints.index",
        "complaints.statistics",
    ]
