"""The catalog import and export commands: dry runs, errors, progress, the default language."""

from __future__ import annotations

import yaml

from disclosure.catalog.submission import dumps, export_department
from portal.extensions import db
from tests.disclosure.submission_helpers import (
    EXAMPLE,
    counts,
    department,
    edited,
    line_of,
    load,
    load_example,
)
from tests.disclosure.submission_helpers import english as english  # the fixture

# --- the command line ---------------------------------------------------------------------------


def test_cli_import_dry_run_then_for_real(app, english, runner, tmp_path):
    path = tmp_path / "km-cgj.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    dry = runner.invoke(args=["catalog", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "created 2, updated 0, unchanged 0" in dry.output
    assert set(counts().values()) == {0}

    changed = tmp_path / "changed.yaml"
    changed.write_text(edited(("  short_name: 市城管局", "  short_name: 城管局")), "utf-8")
    preview = runner.invoke(args=["catalog", "import", str(changed), "--dry-run"])
    assert "created 2" in preview.output and "short_name" not in preview.output  # all new

    real = runner.invoke(args=["catalog", "import", str(path)])
    assert real.exit_code == 0, real.output
    assert f"{path}: created 2, updated 0, unchanged 0" in real.output
    assert "+ KM-CGJ-001" in real.output
    db.session.rollback()  # what was committed is there
    assert counts()["approval_items"] == 2

    again = runner.invoke(args=["catalog", "import", str(path)])
    assert "created 0, updated 0, unchanged 2" in again.output

    text = edited(
        ("  short_name: 市城管局", "  short_name: 城管局"),
        (
            "        time_limit: 5\n        standard: 挖掘",
            "        time_limit: 7\n        standard: 挖掘",
        ),
    )
    changed.write_text(text, "utf-8")
    preview = runner.invoke(args=["catalog", "import", str(changed), "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "created 0, updated 1, unchanged 1" in preview.output
    assert 'short_name: "市城管局" → "城管局"' in preview.output
    assert "~ KM-CGJ-001: steps.review.time_limit\n" in preview.output
    assert "steps.review.time_limit: 5 → 7" in preview.output
    db.session.rollback()
    assert department().short_name == "市城管局"


def test_cli_import_reports_errors_and_exits_1(app, english, runner, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(EXAMPLE, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    text = edited(("total_time_limit: 15", "total_time_limit: 2.5"))
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["catalog", "import", str(bad), str(good)])
    assert result.exit_code == 1
    line = line_of(text, "total_time_limit: 2.5")
    assert f"{bad}:{line}: items[1].total_time_limit: a time limit must be a whole number" in (
        result.output
    )
    assert f"{bad}: 1 error; nothing was changed." in result.output
    assert f"{good}: created 2" in result.output  # each file stands alone
    db.session.rollback()
    assert counts()["approval_items"] == 2


def test_cli_shows_progress_on_a_long_import(app, english, runner, tmp_path):
    data = yaml.safe_load(EXAMPLE)
    template = data["items"][1]
    data["items"] = [{**template, "code": f"KM-CGJ-{n:03d}"} for n in range(1, 31)]
    path = tmp_path / "long.yaml"
    path.write_text(dumps(data, "yaml"), encoding="utf-8")
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "long.yaml" in result.stderr.splitlines()[0]  # the bar's label
    assert "created 30" in result.stdout


def test_cli_export_writes_what_import_reads_back_unchanged(app, english, runner, tmp_path):
    load_example()
    single = runner.invoke(args=["catalog", "export", "--department", "km-cgj"])
    assert single.exit_code == 0, single.output
    assert yaml.safe_load(single.stdout) == export_department(department())
    assert load(single.stdout).unchanged == ["KM-CGJ-001", "KM-CGJ-002"]

    everything = runner.invoke(
        args=["catalog", "export", "--format", "json", "--output", str(tmp_path / "out")]
    )
    assert everything.exit_code == 0, everything.output
    written = tmp_path / "out" / "km-cgj.json"
    report = load(written.read_bytes(), written.name)
    assert report.ok and report.unchanged == ["KM-CGJ-001", "KM-CGJ-002"]
    reimport = runner.invoke(args=["catalog", "import", str(written)])
    assert reimport.exit_code == 0 and "created 0, updated 0, unchanged 2" in reimport.output

    assert runner.invoke(args=["catalog", "export"]).exit_code == 2  # where to, for all?
    missing = runner.invoke(args=["catalog", "export", "--department", "nope"])
    assert missing.exit_code == 1 and "nope" in missing.output


def test_cli_speaks_the_default_language_outside_any_request(app, runner, tmp_path):
    """No request, so no cookie or account to choose a language from: the default one is used."""
    path = tmp_path / "km-cgj.yaml"
    path.write_text(EXAMPLE.replace("total_time_limit: 15", "total_time_limit: 0"), "utf-8")
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{line_of(EXAMPLE, 'total_time_limit: 15')}: items[1].total_time_limit: " in (
        result.output
    )
