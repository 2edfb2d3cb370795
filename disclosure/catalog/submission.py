"""The uniform submission format (报送规范): import a department's file, and export it again.

A file describes one department: the department itself, its leaders, staff and positions (complete
lists: whoever is missing is removed) and its approval items with their procedures (keyed by code:
items missing from the file are left as they are). Import checks everything first — the file's
syntax, the published schema, the rules between fields, the database — and changes nothing if
anything is wrong. Then it brings each object to what the file says, touching only what differs, and
writes one audit entry per changed object listing exactly what changed. It flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from disclosure.catalog.models import ApprovalItem, ItemStatus, ProcedureStep, StepKind
from disclosure.catalog.submission_export import (
    DAY_KEYS,
    DEPARTMENT_COLUMNS,
    ITEM_COLUMNS,
    LEADER_COLUMNS,
    POSITION_COLUMNS,
    STAFF_COLUMNS,
    STEP_COLUMNS,
    department_record,
    dumps,
    export_department,
    in_display_order,
    item_record,
    person_record,
    position_record,
    step_records,
)
from disclosure.catalog.submission_online import (
    apply_online,
    canonical,
    online_changes,
    online_record,
    template_errors,
    wanted_online,
)
from disclosure.catalog.submission_parse import ParseError, parse
from disclosure.catalog.submission_state import State
from disclosure.catalog.submission_validate import (
    FORMAT,
    SubmissionError,
    validate,
)
from disclosure.directory.models import Department, Leader, Position, StaffMember
from portal import audit
from portal.accounts.services import normalise_email
from portal.db import utcnow
from portal.editing import stored_text
from portal.extensions import db

__all__ = [
    "FORMAT",
    "Changes",
    "ImportReport",
    "SubmissionError",
    "dumps",
    "export_department",
    "import_submission",
]


@dataclass
class Changes:
    """Keys (names, emails, codes) of the leaders, staff or positions an import adds, changes, removes."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@dataclass
class ImportReport:
    """What an import found wrong, or what it changed (or, in a dry run, would change)."""

    file: str
    dry_run: bool = False
    errors: list[SubmissionError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # item codes
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)  # the department's items left as they are
    # item code → {field: [old, new]}, fields named as in the file ("steps.review.time_limit")
    changes: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    department: str | None = None  # its code
    department_created: bool = False
    department_changed: bool = False  # the department or its leaders, staff or positions
    department_changes: dict[str, list[Any]] = field(default_factory=dict)
    leaders: Changes = field(default_factory=Changes)
    staff: Changes = field(default_factory=Changes)
    positions: Changes = field(default_factory=Changes)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.department_changed)

    def summary(self) -> str:
        return _(
            "created %(created)d, updated %(updated)d, unchanged %(unchanged)d",
            created=len(self.created),
            updated=len(self.updated),
            unchanged=len(self.unchanged),
        )


# --- import -------------------------------------------------------------------------------------


def import_submission(
    data: bytes,
    filename: str,
    *,
    actor=None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check a submission file and, if it has no error at all, bring the database to what it says.

    ``progress(done, total)`` is called after each item. With ``dry_run`` the report says what
    would change and nothing is written. The caller commits.
    """
    report = ImportReport(file=filename, dry_run=dry_run)
    try:
        located = parse(data, filename)
    except ParseError as error:
        report.errors = [SubmissionError(filename, error.line, "", error.message)]
        return report
    errors = validate(located, filename)
    state = State.load(located.data)
    errors += state.conflicts(located, filename)
    errors += template_errors(located, filename, state.items)
    if errors:
        report.errors = sorted(set(errors), key=lambda error: error.sort_key)
        return report
    _Sync(state, _Wanted(located.data), report, actor, not dry_run, progress).run()
    return report


def _text(value: Any) -> Any:
    """Text as the editor stores it too: trimmed, ``\n`` line breaks (see portal.editing)."""
    return stored_text(value) if isinstance(value, str) else value


def _email(value: str | None) -> str | None:
    return normalise_email(value) if value and value.strip() else None


def _diff(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """``{key: [old, new]}`` for every key whose value differs (all keys when one side is None)."""
    old, new = old or {}, new or {}
    return {
        key: [old.get(key), new.get(key)] for key in (new or old) if old.get(key) != new.get(key)
    }


# model → (section of the file, columns, key, how keys compare, audit noun, audit subject type)
PEOPLE = {
    StaffMember: ("staff", STAFF_COLUMNS, "email", str.lower, "staff", "staff_member"),
    Leader: ("leaders", LEADER_COLUMNS, "name", str, "leader", "leader"),
}


class _Wanted:
    """The file's content, cleaned into the same records the database objects give."""

    def __init__(self, data: dict[str, Any]) -> None:
        department = data["department"]
        self.department = {key: _text(department[key]) for key in DEPARTMENT_COLUMNS}
        self.department["email"] = _email(department["email"])
        self.department["default_complaint_position"] = _text(
            department.get("default_complaint_position")
        )
        # Absent: the department keeps its place in the portal's lists (the file's own lists
        # are ordered by where their entries stand).
        order = department.get("sort_order")
        self.department["sort_order"] = None if order is None else int(order)
        self.leaders = [
            {**{key: _text(entry[key]) for key in LEADER_COLUMNS}, "sort_order": index}
            for index, entry in enumerate(data["leaders"])
        ]
        self.staff = [
            {**{key: _text(entry[key]) for key in STAFF_COLUMNS}, "sort_order": index}
            for index, entry in enumerate(data["staff"])
        ]
        for person in self.leaders + self.staff:
            person["email"] = _email(person["email"])
        self.positions = [
            {
                **{key: _text(entry[key]) for key in POSITION_COLUMNS},
                "holder": _email(entry.get("holder")),
                "deputy": _email(entry.get("deputy")),
                "sort_order": index,
            }
            for index, entry in enumerate(data["positions"])
        ]
        self.items = [self._item(entry) for entry in data["items"]]

    @staticmethod
    def _item(entry: dict[str, Any]) -> tuple[dict, dict[StepKind, dict], dict | None]:
        record: dict[str, Any] = {
            "code": _text(entry["code"]),
            "name": _text(entry["name"]),
            "published": bool(entry.get("published", False)),
            "major": bool(entry.get("major", False)),
        }
        for key in ITEM_COLUMNS:
            if key not in record:
                head, _dot, tail = key.partition(".")
                value = entry[head][tail] if tail else entry[key]
                record[key] = int(value) if key == "total_time_limit" else _text(value)
        steps = {}
        for step in entry["steps"]:
            kind = StepKind(step["kind"])
            wanted: dict[str, Any] = {"kind": kind.value, "position": _text(step["position"])}
            for key in STEP_COLUMNS:
                value = step.get(key)
                if key in DAY_KEYS:
                    wanted[key] = None if value is None else int(value)
                else:
                    wanted[key] = _text(value) if value is not None else ""
            steps[kind] = wanted
        return record, steps, wanted_online(entry)


def _item_changes(old, old_steps, new, new_steps) -> dict[str, list[Any]]:
    changes = _diff(old, new)
    for kind in StepKind:
        before, after = old_steps.get(kind), new_steps.get(kind)
        if before == after:
            continue
        if before is None or after is None:
            changes[f"steps.{kind.value}"] = [before, after]
        else:
            for key, pair in _diff(before, after).items():
                changes[f"steps.{kind.value}.{key}"] = pair
    return changes


class _Order:
    """The display order of a department's leaders, staff or positions against the file's.

    The file gives the order by where each entry stands; the database by ``sort_order`` (which
    the editor sets freely: 5, 3, 10) and then id. An entry's ``sort_order`` is compared as its
    place in that order, and written — for everyone, as 0, 1, 2… — only when the order differs.
    """

    def __init__(self, objects: Iterable[Any], key: Callable[[Any], str], wanted: list[str]):
        ordered = in_display_order(objects)
        self.place = {id(obj): index for index, obj in enumerate(ordered)}
        changed = [key(obj) for obj in ordered] != wanted
        self.columns: tuple[str, ...] = ("sort_order",) if changed else ()

    def record(self, obj: Any, record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "sort_order": self.place[id(obj)]}


class _Sync:
    """Brings the database to the file: compares records, and (unless a dry run) writes the differences."""

    def __init__(self, state: State, wanted: _Wanted, report, actor, write: bool, progress) -> None:
        self.state, self.wanted, self.report = state, wanted, report
        self.actor, self.write, self.progress = actor, write, progress
        self.now = utcnow()
        self.department = state.department
        self.audits: list[tuple[str, str, Any, dict[str, list[Any]]]] = []
        self.removed: list[tuple[str, Any]] = []

    def note(self, action: str, subject_type: str, obj: Any, changes: dict[str, list[Any]]) -> None:
        if self.write:
            self.audits.append((action, subject_type, obj, changes))

    def run(self) -> None:
        self.sync_department()
        staff = self.sync_people(StaffMember, self.wanted.staff, self.report.staff)
        self.sync_people(Leader, self.wanted.leaders, self.report.leaders)
        positions = self.sync_positions(staff)
        self.sync_items(positions)
        report = self.report
        report.department_changed = bool(
            report.department_changes or report.leaders or report.staff or report.positions
        )
        if not self.write:
            return
        department = self.department
        default = positions.get(self.wanted.department["default_complaint_position"])
        if department.default_complaint_position is not default:
            department.default_complaint_position = default
        if report.department_changed and not report.department_created:
            department.updated_at = self.now
        db.session.flush()
        for action, subject_type, obj, changes in self.audits:
            audit.record(
                action, subject_type, obj.id, actor=self.actor, changes=changes, file=report.file
            )
        # Removed from the department's collections (delete-orphan), so that none is left in them.
        for section, obj in self.removed:
            getattr(department, section).remove(obj)
        db.session.flush()

    def sync_department(self) -> None:
        wanted = self.wanted.department
        old = department_record(self.department) if self.department else None
        if wanted["sort_order"] is None:
            wanted["sort_order"] = old["sort_order"] if old else 0
        changes = _diff(old, wanted)
        report = self.report
        report.department = wanted["code"]
        report.department_created = old is None
        report.department_changes = changes
        if not self.write:
            return
        if self.department is None:
            self.department = Department()
            db.session.add(self.department)
        self._assign(self.department, wanted, (*DEPARTMENT_COLUMNS, "sort_order"))
        if changes:
            action = "create" if old is None else "update"
            self.note(f"directory.department.{action}", "department", self.department, changes)

    def sync_people(self, model: type, wanted: list[dict[str, Any]], out: Changes) -> dict:
        """Leaders (keyed by name) or staff (by email, in any case): add, update, remove."""
        section, columns, key, fold, noun, subject = PEOPLE[model]
        people = getattr(self.department, section) if self.department else []
        order = _Order(people, lambda p: fold(getattr(p, key)), [fold(r[key]) for r in wanted])
        existing: dict[str, Any] = {}
        for person in people:
            existing.setdefault(fold(getattr(person, key)), person)
        kept: dict[str, Any] = {}
        for record in wanted:
            name = record[key]
            person = existing.pop(fold(name), None)
            old = order.record(person, person_record(person, columns)) if person else None
            changes = _diff(old, record)
            action = "create" if person is None else "update"
            if person is None:
                out.created.append(name)
            elif changes:
                out.updated.append(name)
            if self.write:
                if person is None:
                    person = model(department=self.department)
                    db.session.add(person)
                self._assign(person, record, (*columns, *order.columns))
                if changes:
                    self.note(f"directory.{noun}.{action}", subject, person, changes)
            kept[fold(name)] = person
        for person in existing.values():
            out.removed.append(getattr(person, key))
            self.remove(
                section,
                person,
                f"directory.{noun}.delete",
                subject,
                _diff(person_record(person, columns), None),
            )
        return kept

    def remove(self, section: str, obj: Any, action: str, subject_type: str, changes) -> None:
        if self.write:
            self.note(action, subject_type, obj, changes)
            self.removed.append((section, obj))

    def sync_positions(self, staff: dict[str, StaffMember]) -> dict[str, Position]:
        positions = self.department.positions if self.department else []
        order = _Order(positions, lambda p: p.code, [r["code"] for r in self.wanted.positions])
        existing = {p.code: p for p in positions}
        kept: dict[str, Position] = {}
        out = self.report.positions
        for record in self.wanted.positions:
            position = existing.pop(record["code"], None)
            old = order.record(position, position_record(position)) if position else None
            changes = _diff(old, record)
            action = "create" if position is None else "update"
            if position is None:
                out.created.append(record["code"])
            elif changes:
                out.updated.append(record["code"])
            if self.write:
                if position is None:
                    position = Position(department=self.department)
                    db.session.add(position)
                self._assign(position, record, (*POSITION_COLUMNS, *order.columns))
                holder = staff[record["holder"]] if record["holder"] else None
                deputy = staff[record["deputy"]] if record["deputy"] else None
                if position.holder is not holder:
                    position.holder = holder
                    position.holder_since = self.now if holder is not None else None
                if position.deputy is not deputy:
                    position.deputy = deputy
                if changes:
                    self.note(f"directory.position.{action}", "position", position, changes)
            kept[record["code"]] = position
        for position in existing.values():
            out.removed.append(position.code)
            self.remove(
                "positions",
                position,
                "directory.position.delete",
                "position",
                _diff(position_record(position), None),
            )
        return kept

    def sync_items(self, positions: dict[str, Position]) -> None:
        report, items = self.report, self.state.items
        in_file = set()
        total = len(self.wanted.items)
        for done, (record, steps, online) in enumerate(self.wanted.items, start=1):
            code = record["code"]
            in_file.add(code)
            item = items.get(code)
            action = "create" if item is None else "update"
            # The online offer (网上申报), its templates named as the export names them.
            online = canonical(online, item.forms if item is not None else ())
            old_online = online_record(item) if item is not None else None
            online_changed = online_changes(old_online, online)
            if item is None:
                changes = _item_changes(None, {}, record, steps)
                report.created.append(code)
            else:
                changes = _item_changes(item_record(item), step_records(item), record, steps)
            changes.update(online_changed)
            if online_changed and old_online is not None:
                changes["online.version"] = [item.online.version, item.online.version + 1]
            if item is not None:
                (report.updated if changes else report.unchanged).append(code)
            if changes:
                report.changes[code] = changes
            if self.write and changes:
                if item is None:
                    item = ApprovalItem(department=self.department)
                    db.session.add(item)
                else:
                    item.updated_at = self.now
                self._assign_item(item, record, steps, positions)
                if online_changed:
                    apply_online(item, online)
                self.note(f"catalog.item.{action}", "approval_item", item, changes)
            if self.progress is not None:
                self.progress(done, total)
        report.not_in_file = sorted(code for code in items if code not in in_file)

    def _assign_item(self, item, record, steps, positions) -> None:
        values = {column: record[key] for key, column in ITEM_COLUMNS.items()}
        values["status"] = ItemStatus.PUBLISHED if record["published"] else ItemStatus.DRAFT
        values["is_major"] = record["major"]
        self._assign(item, values, values)
        if item.status == ItemStatus.PUBLISHED and item.published_at is None:
            item.published_at = self.now
        current = {step.kind: step for step in item.steps}
        for kind, wanted in steps.items():
            step = current.pop(kind, None)
            if step is None:
                step = ProcedureStep(kind=kind, sequence=kind.order)
                item.steps.append(step)
            position = positions[wanted["position"]]
            if step.position is not position:
                step.position = position
            self._assign(
                step, {c: wanted[k] for k, c in STEP_COLUMNS.items()}, STEP_COLUMNS.values()
            )
        for step in current.values():
            item.steps.remove(step)
        item.steps.sort(key=lambda step: step.sequence)

    @staticmethod
    def _assign(obj: Any, values: Mapping[str, Any], names: Iterable[str]) -> None:
        """Set only what differs, so that an unchanged object is never written."""
        for name in names:
            if getattr(obj, name) != values[name]:
                setattr(obj, name, values[name])
