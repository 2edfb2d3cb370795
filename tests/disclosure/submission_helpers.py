"""Shared by the submission-format tests: the published example and schema, loading, row counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from disclosure.catalog.models import ApprovalItem, ProcedureStep
from disclosure.catalog.submission import import_submission
from disclosure.directory.models import Department, Leader, Position, StaffMember
from portal.audit import AuditEntry
from portal.extensions import db

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PATH = ROOT / "docs" / "submission.example.yaml"
EXAMPLE = EXAMPLE_PATH.read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "docs" / "submission.schema.json").read_text(encoding="utf-8"))
MODELS = [Department, Leader, StaffMember, Position, ApprovalItem, ProcedureStep, AuditEntry]


@pytest.fixture
def english(app):
    """Messages in English, whatever the catalogue's Chinese translation says."""
    with force_locale("en"):
        yield


def edited(*replacements: tuple[str, str], text: str = EXAMPLE) -> str:
    """The example with each ``old`` replaced by ``new`` (each ``old`` must occur exactly once)."""
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    numbers = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return numbers[occurrence - 1]


def counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in MODELS
    }


def load(text: str | bytes, name: str = "km-cgj.yaml", **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_submission(data, name, **kwargs)


def load_example():
    report = load(EXAMPLE)
    assert report.ok, [str(e) for e in report.errors]
    db.session.commit()
    return report


def department() -> Department:
    return db.session.scalar(sa.select(Department).where(Department.code == "km-cgj"))


def item(code: str) -> ApprovalItem:
    return db.session.scalar(sa.select(ApprovalItem).where(ApprovalItem.code == code))


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))
