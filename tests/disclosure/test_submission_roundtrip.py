"""The submission format round trip: the published contract, export then import lossless, what the editor saves."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
import yaml
from jsonschema import Draft202012Validator

from disclosure.catalog import services as catalog
from disclosure.catalog.models import ApprovalItem, ItemStatus, StepKind
from disclosure.catalog.submission import FORMAT, dumps, export_department
from disclosure.directory import services as directory
from disclosure.directory.models import Department
from portal.audit import AuditEntry
from portal.extensions import db
from tests.conftest import make_user
from tests.disclosure.submission_helpers import (
    EXAMPLE,
    MODELS,
    SCHEMA,
    audit_entries,
    department,
    load,
    load_example,
)
from tests.disclosure.submission_helpers import english as english  # the fixture
from tests.portal.test_uploads import png

# --- the published contract ---------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12_and_the_example_follows_it():
    Draft202012Validator.check_schema(SCHEMA)
    example = yaml.safe_load(EXAMPLE)
    assert list(Draft202012Validator(SCHEMA).iter_errors(example)) == []
    assert example["format"] == FORMAT
    kinds = [step["kind"] for step in example["items"][0]["steps"]]
    assert kinds == [kind.value for kind in StepKind]  # all seven, in order
    assert len(example["positions"]) == 2 and len(example["items"]) == 2


# --- export -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_then_import_is_lossless(app, english, fmt):
    load_example()
    exported = export_department(department())
    report = load(dumps(exported, fmt), f"km-cgj.{fmt}")
    assert report.ok and report.unchanged == ["KM-CGJ-001", "KM-CGJ-002"]
    assert not report.department_changed and not report.changed
    assert export_department(department()) == exported


def test_export_is_the_example_in_a_stable_readable_order(app, english):
    load_example()
    exported = export_department(department())
    assert list(exported) == ["format", "department", "leaders", "staff", "positions", "items"]
    assert list(exported["items"][0])[:4] == ["code", "name", "published", "major"]
    assert [i["code"] for i in exported["items"]] == ["KM-CGJ-001", "KM-CGJ-002"]
    assert exported["positions"][0]["holder"] == "zhang.chuangkou@cgj.kaimen.example"

    def trimmed(value):
        if isinstance(value, dict):
            return {k: trimmed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [trimmed(v) for v in value]
        return value.strip() if isinstance(value, str) else value

    original = trimmed(yaml.safe_load(EXAMPLE))
    original["items"][1]["major"] = False  # the defaults, written out
    original["department"]["sort_order"] = 0
    assert exported == original
    text = dumps(exported, "yaml")
    assert "materials: |-\n      1. 城市道路挖掘申请表" in text  # literal blocks, real characters
    assert "\n  - code: window\n" in text  # lists indented under their key
    assert "postcode: '300001'" in text  # text that looks like a number stays text
    assert json.loads(dumps(exported, "json")) == exported
    assert "开门市" in dumps(exported, "json")


def test_reading_and_exporting_take_the_same_number_of_queries_for_2_or_30_items(app, english):
    """No query per item: the department's items and their steps are loaded together."""
    many = yaml.safe_load(EXAMPLE)
    many["items"] += [{**many["items"][1], "code": f"KM-CGJ-{n:03d}"} for n in range(3, 31)]
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        measured = []
        for data in (yaml.safe_load(EXAMPLE), many):
            load(dumps(data, "yaml"))
            db.session.commit()
            statements.clear()
            assert load(dumps(data, "yaml")).unchanged  # the second time: reading only
            export_department(department())
            measured.append(len(statements))
            db.session.rollback()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert measured[0] == measured[1], measured


# --- what the editor saves, the format carries --------------------------------------------------

ACTION = re.compile(
    r"\A(directory\.(department|leader|staff|position)|catalog\.(item|step|form))\.[a-z_]+\Z"
)
# subject type of the audit entry → the object its action names
SUBJECTS = {
    "department": "department",
    "leader": "leader",
    "staff_member": "staff",
    "position": "position",
    "approval_item": "item",
    "procedure_step": "step",
    "application_form": "form",
}


def build_with_the_editor(actor) -> Department:
    """A department and its items made the way an administrator makes them on the web."""
    made = directory.create_department(
        actor=actor,
        code="lj-jtj",
        full_name="临江市交通运输局",
        short_name="交通运输局",
        address="临江市解放路 8 号",
        postcode="399002",
        public_phone="110",
        supervision_phone="0999-8800 2002",
        functions="负责全市道路运输管理；\r\n承担交通行政审批。\r\n",  # as a browser sends it
        email="JTJ@Linjiang.gov.example",
        sort_order=7,
    )
    # Orders typed freely (5 before 2; ties): the file keeps the order, not the numbers.
    for name, order in (("甲局长", 5), ("乙副局长", 2)):
        directory.create_leader(
            made, actor=actor, name=name, title="局长", portfolio="主持工作",
            office_phone="0999-1", email=f"{order}@jtj.example", sort_order=order,
        )  # fmt: skip
    directory.set_leader_photo(made.leaders[0], png((60, 80)), actor)
    make_user("clerk@example.com")
    staff = [
        directory.create_staff(
            made,
            actor=actor,
            name=name,
            title="科员",
            duties="办理审批",
            office_phone="0999-2",
            email=f"{name}@JTJ.example",
            user_email="clerk@example.com" if name == "a" else None,
        )
        for name in ("a", "b", "c")
    ]
    positions = [
        directory.create_position(
            made, actor=actor, code=code, name=f"{code}岗", duties="职责", sort_order=order
        )
        for code, order in (("window", 10), ("review", 10), ("complaints", 3))
    ]
    window, review, complaints = positions
    directory.hand_over_position(window, staff[0], staff[1], actor, "到岗")
    directory.hand_over_position(complaints, staff[2], None, actor, "到岗")
    directory.update_department(made, actor=actor, default_complaint_position=complaints)

    elements = {
        "agency_name": "临江市交通运输局行政审批科", "agency_address": "临江市解放路 8 号",
        "agency_phone": "0999-8800 2030", "total_time_limit_days": 1,
        "eligibility": "依法登记的企业", "materials": "1. 申请表\r\n2. 营业执照",
        "fee_standard": "不收费", "fee_basis": "无", "legal_basis": "《道路运输条例》",
        "result": "许可证",
    }  # fmt: skip
    road = catalog.create_item(made, actor=actor, code="LJ-JT-001", name="道路运输经营许可",
                               **elements)  # fmt: skip
    catalog.add_step(
        road, kind="acceptance", position=window, actor=actor, time_limit_days=0,
        conditions="材料齐全", consultation_time_limit_days=5,
    )  # fmt: skip
    catalog.add_step(
        road, kind="review", position=review, actor=actor, time_limit_days=3,
        conditions="现场核查合格", standard="符合条例", duties="",
    )  # fmt: skip
    catalog.add_step(
        road, kind="complaint", position=complaints, actor=actor, time_limit_days=15,
        complaint_channels="来信、来电\r\n网上投诉", complaint_phone="12345",
        notification_method="电话告知", notification_time_limit_days=0,
    )  # fmt: skip
    catalog.update_item(road, actor=actor, status=ItemStatus.PUBLISHED, is_major=True)
    catalog.create_item(made, actor=actor, code="LJ-JT-002", name="尚无程序的草稿", **elements)
    half = catalog.create_item(made, actor=actor, code="LJ-JT-003", name="半成品", **elements)
    catalog.add_step(half, kind="decision", position=review, actor=actor, time_limit_days=2)
    db.session.commit()
    return made


def everything() -> dict:
    """Every row the directory and catalog hold, down to ids, raw orders and dates."""
    db.session.expire_all()

    def rows(model) -> list[dict]:
        columns = [column.key for column in model.__table__.columns]
        found = db.session.scalars(sa.select(model).order_by(model.id))
        return [{key: getattr(row, key) for key in columns} for row in found]

    return {model.__tablename__: rows(model) for model in MODELS if model is not AuditEntry}


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_what_the_editor_saves_exports_and_imports_back_unchanged(app, english, admin, fmt):
    app.instance_path = app.config["KAIMEN_INSTANCE_PATH"]
    made = build_with_the_editor(admin)
    before, audits = everything(), len(audit_entries())
    exported = export_department(made)
    assert [item["code"] for item in exported["items"]] == ["LJ-JT-001", "LJ-JT-002", "LJ-JT-003"]
    assert exported["items"][1]["steps"] == [] and not exported["items"][1]["published"]
    assert [leader["name"] for leader in exported["leaders"]] == ["乙副局长", "甲局长"]
    assert [position["code"] for position in exported["positions"]] == [
        "complaints", "window", "review",
    ]  # fmt: skip
    assert exported["department"]["functions"] == "负责全市道路运输管理；\n承担交通行政审批。"
    assert exported["department"]["sort_order"] == 7
    assert exported["items"][0]["steps"][1]["conditions"] == "现场核查合格"  # on a review step
    text = dumps(exported, fmt)
    assert list(Draft202012Validator(SCHEMA).iter_errors(json.loads(dumps(exported, "json")))) == []

    report = load(text, f"lj-jtj.{fmt}", actor=admin)
    assert report.ok, [str(error) for error in report.errors]
    assert report.unchanged == ["LJ-JT-001", "LJ-JT-002", "LJ-JT-003"]
    assert not report.changed and not report.department_changed and report.changes == {}
    assert not (db.session.new or db.session.dirty or db.session.deleted)
    db.session.commit()
    assert everything() == before  # the photo, the account, the dates and the ids included
    assert len(audit_entries()) == audits


def test_what_the_editor_saves_loads_into_an_empty_catalog_the_same(app, english, admin):
    app.instance_path = app.config["KAIMEN_INSTANCE_PATH"]
    exported = export_department(build_with_the_editor(admin))
    made = department_by_code("lj-jtj")
    for entry in list(db.session.scalars(sa.select(ApprovalItem))):
        db.session.delete(entry)
    db.session.flush()
    directory.delete_department(made, actor=admin)
    db.session.commit()

    report = load(dumps(exported, "yaml"), "lj-jtj.yaml")
    assert report.ok and report.created == ["LJ-JT-001", "LJ-JT-002", "LJ-JT-003"]
    db.session.commit()
    again = department_by_code("lj-jtj")
    assert export_department(again) == exported
    # What the format does not carry (docs/submission.md): photos and login accounts.
    assert all(leader.photo is None for leader in again.leaders)
    assert all(member.user is None for member in again.staff)


def department_by_code(code: str) -> Department:
    return db.session.scalar(sa.select(Department).where(Department.code == code))


def test_the_editor_and_the_importer_name_audit_actions_alike(app, english, admin):
    """One scheme, <area>.<object>.<verb>, and one name for one change, whoever makes it."""
    app.instance_path = app.config["KAIMEN_INSTANCE_PATH"]
    build_with_the_editor(admin)
    edited = [entry for entry in audit_entries() if entry.subject_type in SUBJECTS]
    load_example()
    imported = audit_entries()[len(audit_entries()) - 10 :]  # the example's ten
    assert all(entry.data["file"] == "km-cgj.yaml" for entry in imported)
    for entry in edited + imported:
        assert ACTION.match(entry.action), entry.action
        assert SUBJECTS[entry.subject_type] == entry.action.split(".")[1], entry.action
    created = {
        "directory.department.create", "directory.leader.create", "directory.staff.create",
        "directory.position.create", "catalog.item.create",
    }  # fmt: skip
    assert created <= {entry.action for entry in edited}
    assert created == {entry.action for entry in imported}
    assert {
        "directory.position.hand_over",
        "directory.leader.set_photo",
        "catalog.step.create",
    } <= {entry.action for entry in edited}
