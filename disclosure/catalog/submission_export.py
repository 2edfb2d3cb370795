"""The submission format written out: records of the database objects, and files made of them.

A record is a flat dict keyed as the file names things (``agency.name``, ``time_limit``); the
importer compares the file's records with these, and the exporter nests them into the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
import yaml

from disclosure.catalog.models import ApprovalItem, ItemStatus, ProcedureStep, StepKind
from disclosure.catalog.online_models import OnlineSpec
from disclosure.catalog.submission_online import export_online
from disclosure.catalog.submission_validate import FORMAT
from disclosure.directory.models import Department, Leader, Position, StaffMember
from portal.extensions import db

DEPARTMENT_COLUMNS = (
    "code",
    "full_name",
    "short_name",
    "address",
    "postcode",
    "public_phone",
    "supervision_phone",
    "email",
    "functions",
)
LEADER_COLUMNS = ("name", "title", "portfolio", "office_phone", "email")
STAFF_COLUMNS = ("name", "title", "duties", "office_phone", "email")
POSITION_COLUMNS = ("code", "name", "duties")
# Item fields as the file names them (agency.* are nested in the file) → model columns.
ITEM_COLUMNS = {
    "code": "code",
    "name": "name",
    "agency.name": "agency_name",
    "agency.address": "agency_address",
    "agency.phone": "agency_phone",
    "total_time_limit": "total_time_limit_days",
    "eligibility": "eligibility",
    "materials": "materials",
    "fee_standard": "fee_standard",
    "fee_basis": "fee_basis",
    "legal_basis": "legal_basis",
    "result": "result",
}
STEP_COLUMNS = {
    "time_limit": "time_limit_days",
    "consultation_time_limit": "consultation_time_limit_days",
    "conditions": "conditions",
    "standard": "standard",
    "duties": "duties",
    "channels": "complaint_channels",
    "phone": "complaint_phone",
    "notification_method": "notification_method",
    "notification_time_limit": "notification_time_limit_days",
}
DAY_KEYS = {"time_limit", "consultation_time_limit", "notification_time_limit"}


def department_record(department: Department) -> dict[str, Any]:
    record = {key: getattr(department, key) for key in DEPARTMENT_COLUMNS}
    default = department.default_complaint_position
    record["default_complaint_position"] = default.code if default else None
    record["sort_order"] = department.sort_order
    return record


def person_record(person: Leader | StaffMember, columns: Iterable[str]) -> dict[str, Any]:
    return {**{key: getattr(person, key) for key in columns}, "sort_order": person.sort_order}


def position_record(position: Position) -> dict[str, Any]:
    return {
        **{key: getattr(position, key) for key in POSITION_COLUMNS},
        "holder": position.holder.email if position.holder else None,
        "deputy": position.deputy.email if position.deputy else None,
        "sort_order": position.sort_order,
    }


def item_record(item: ApprovalItem) -> dict[str, Any]:
    record: dict[str, Any] = {
        "code": item.code,
        "name": item.name,
        "published": item.status == ItemStatus.PUBLISHED,
        "major": item.is_major,
    }
    for key, column in ITEM_COLUMNS.items():
        record.setdefault(key, getattr(item, column))
    return record


def step_records(item: ApprovalItem) -> dict[StepKind, dict[str, Any]]:
    return {
        step.kind: {
            "kind": step.kind.value,
            "position": step.position.code if step.position else None,
            **{key: getattr(step, column) for key, column in STEP_COLUMNS.items()},
        }
        for step in item.steps
    }


def load_department(code: str) -> Department | None:
    return db.session.scalar(
        sa.select(Department)
        .where(Department.code == code)
        .options(
            so.selectinload(Department.leaders),
            so.selectinload(Department.staff),
            so.selectinload(Department.positions).joinedload(Position.holder),
            so.selectinload(Department.positions).joinedload(Position.deputy),
            so.joinedload(Department.default_complaint_position),
        )
    )


def load_items(department: Department) -> list[ApprovalItem]:
    return list(
        db.session.scalars(
            sa.select(ApprovalItem)
            .where(ApprovalItem.department_id == department.id)
            .options(
                so.selectinload(ApprovalItem.steps).joinedload(ProcedureStep.position),
                so.selectinload(ApprovalItem.forms),
                so.selectinload(ApprovalItem.online).options(
                    so.selectinload(OnlineSpec.fields), so.selectinload(OnlineSpec.materials)
                ),
            )
        )
    )


def export_department(department: Department) -> dict[str, Any]:
    """The department in the submission format, as ``import_submission`` reads it back unchanged."""
    department = load_department(department.code) or department
    record = department_record(department)
    if record["default_complaint_position"] is None:
        del record["default_complaint_position"]
    positions = []
    for position in in_display_order(department.positions):
        entry = position_record(position)
        del entry["sort_order"]
        positions.append({key: value for key, value in entry.items() if value is not None})
    items = sorted(load_items(department), key=lambda item: item.code)
    return {
        "format": FORMAT,
        "department": record,
        "leaders": [
            {key: getattr(p, key) for key in LEADER_COLUMNS}
            for p in in_display_order(department.leaders)
        ],
        "staff": [
            {key: getattr(p, key) for key in STAFF_COLUMNS}
            for p in in_display_order(department.staff)
        ],
        "positions": positions,
        "items": [_export_item(item) for item in items],
    }


def in_display_order(objects: Iterable[Any]) -> list[Any]:
    """Leaders, staff or positions as the portal lists them: the file's order."""
    return sorted(objects, key=lambda obj: (obj.sort_order, obj.id or 0))


def _export_item(item: ApprovalItem) -> dict[str, Any]:
    record = item_record(item)
    entry: dict[str, Any] = {}
    for key, value in record.items():
        head, _dot, tail = key.partition(".")
        if tail:
            entry.setdefault(head, {})[tail] = value
        else:
            entry[key] = value
    entry["steps"] = []
    for _kind, step in sorted(step_records(item).items(), key=lambda pair: pair[0].order):
        entry["steps"].append(
            {key: value for key, value in step.items() if value not in (None, "")}
        )
    online = export_online(item)
    if online is not None:
        entry["online"] = online
    return entry


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists, and multi-line text as literal blocks (``|``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the reader refuses aliases: write repeated values out in full


# Line breaks YAML would fold into "\n" inside a block or plain scalar: written as escapes.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _represent_text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    if any(mark in value for mark in _OTHER_BREAKS):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def dumps(data: dict[str, Any], fmt: str) -> str:
    """Write ``data`` as "yaml" or "json" text."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.dump(
            data,
            Dumper=_Dumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=False,
            width=4096,
        )
    raise ValueError(f"unknown format {fmt!r}: use 'yaml' or 'json'")
