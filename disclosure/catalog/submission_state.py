"""What the database holds for a submission's department, and the errors only it can show.

Read before anything is written: the department with its people and positions, its items with
their steps, and the codes other departments already use; then which removals the file asks for
that rows elsewhere forbid.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from disclosure.catalog.models import ApprovalItem, ProcedureStep
from disclosure.catalog.submission_export import load_department, load_items
from disclosure.catalog.submission_validate import SubmissionError, entries, field_name, text_of
from disclosure.directory.models import Department, Position, StaffMember
from portal.extensions import db


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class State:
    """What the database holds for the file's department, read before anything is written."""

    def __init__(self, department: Department | None, codes: list[str]) -> None:
        self.department = department
        self.items = {item.code: item for item in load_items(department)} if department else {}
        self.elsewhere: dict[str, str] = {}  # item code → the other department that has it
        for chunk in _chunks([code for code in codes if code not in self.items]):
            rows = db.session.execute(
                sa.select(ApprovalItem.code, Department.code, Department.short_name)
                .join(Department, ApprovalItem.department)
                .where(ApprovalItem.code.in_(chunk))
            )
            self.elsewhere.update({code: f"{name} ({dept})" for code, dept, name in rows})

    @classmethod
    def load(cls, data: Any) -> State:
        department = data.get("department") if isinstance(data, dict) else None
        code = text_of(department, "code") if isinstance(department, dict) else None
        codes = [c for _i, item in entries(data, "items") if (c := text_of(item, "code"))]
        return cls(load_department(code) if code else None, codes)

    def conflicts(self, located, file: str) -> list[SubmissionError]:
        """Errors only the database shows: item codes of other departments, removals refused."""
        data = located.data
        found: list[SubmissionError] = []

        def error(path: tuple, message: str, line: int | None = None) -> None:
            line = line if line is not None else located.line(path)
            found.append(SubmissionError(file, line, field_name(path), message))

        for index, item in entries(data, "items"):
            code = text_of(item, "code")
            if code in self.elsewhere:
                error(
                    ("items", index, "code"),
                    _(
                        "item code %(code)s is already used by another department: %(department)s",
                        code=code,
                        department=self.elsewhere[code],
                    ),
                )
        department = self.department
        if department is None or not isinstance(data, dict):
            return found
        item_codes = {c for _i, entry in entries(data, "items") if (c := text_of(entry, "code"))}
        if isinstance(data.get("positions"), list):
            kept = {c for _i, entry in entries(data, "positions") if (c := text_of(entry, "code"))}
            removed = {p.id: p.code for p in department.positions if p.code not in kept}
            line = located.key_line(("positions",))
            for position, item in self._steps_naming(removed):
                if item not in item_codes:
                    error(
                        ("positions",),
                        _(
                            "position %(code)s is missing from the file, but the procedure of "
                            "item %(item)s names it: keep the position, or change that item first",
                            code=position,
                            item=item,
                        ),
                        line,
                    )
            for what, table, count in _references(
                Position.__table__, removed, {"procedure_steps", "departments"}
            ):
                error(
                    ("positions",), _refused(_("position %(code)s", code=what), table, count), line
                )
        if isinstance(data.get("staff"), list):
            kept = {
                e.lower() for _i, entry in entries(data, "staff") if (e := text_of(entry, "email"))
            }
            removed = {m.id: m.email for m in department.staff if m.email.lower() not in kept}
            line = located.key_line(("staff",))
            for what, table, count in _references(StaffMember.__table__, removed, {"positions"}):
                error(
                    ("staff",),
                    _refused(_("staff member %(email)s", email=what), table, count),
                    line,
                )
        for index, entry in entries(data, "items"):
            item = self.items.get(text_of(entry, "code") or "")
            if item is None:
                continue
            kinds = {step.get("kind") for _i, step in entries(entry, "steps")}
            removed = {
                step.id: step.kind.value for step in item.steps if step.kind.value not in kinds
            }
            for what, table, count in _references(ProcedureStep.__table__, removed, set()):
                error(
                    ("items", index, "steps"),
                    _refused(_("the %(kind)s step", kind=what), table, count),
                    located.key_line(("items", index, "steps")),
                )
        return found

    @staticmethod
    def _steps_naming(positions: dict[int, str]) -> list[tuple[str, str]]:
        if not positions:
            return []
        return list(
            db.session.execute(
                sa.select(Position.code, ApprovalItem.code)
                .join(ProcedureStep, ProcedureStep.position_id == Position.id)
                .join(ApprovalItem, ProcedureStep.item_id == ApprovalItem.id)
                .where(Position.id.in_(positions))
                .order_by(Position.code, ApprovalItem.code)
            )
        )


def _references(table: sa.Table, ids: dict[int, str], skip: set[str]) -> list[tuple[str, str, int]]:
    """(key, table, count) for rows of other tables that keep a row of ``table`` from going.

    Found from the foreign keys themselves, so that a feature's table (complaints naming a
    position) is respected without the kernel knowing it; cascading keys do not count.
    """
    found = []
    if not ids:
        return found
    for other in db.metadata.sorted_tables:
        if other.name in skip:
            continue
        for key in other.foreign_keys:
            if key.column.table is not table or (key.ondelete or "").upper() in (
                "CASCADE",
                "SET NULL",
            ):
                continue
            rows = db.session.execute(
                sa.select(key.parent, sa.func.count())
                .where(key.parent.in_(list(ids)))
                .group_by(key.parent)
            )
            found.extend((ids[target], other.name, count) for target, count in rows)
    return found


def _refused(what: str, table: str, count: int) -> str:
    return _(
        "%(what)s is missing from the file but cannot be removed: %(count)d records in "
        "%(table)s refer to it",
        what=what,
        count=count,
        table=table,
    )
