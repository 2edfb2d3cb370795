"""``kaimen demo`` fills the directory and catalog of 临江市 with complete, realistic items."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
import yaml
from jsonschema import Draft202012Validator

from disclosure.catalog.demo import DATA_DIR
from disclosure.catalog.models import (
    ApplicationForm,
    ApprovalItem,
    FormFormat,
    ItemStatus,
    ProcedureStep,
    StepKind,
)
from disclosure.directory.models import Department, Leader, Position, StaffMember
from portal import uploads
from portal.accounts.models import User
from portal.audit import AuditEntry
from portal.extensions import db

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(DATA_DIR.glob("*.yaml"))
OFFICER = "officer@demo.kaimen.example"
STEP_ORDER = [kind.value for kind in StepKind]


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- the files themselves (no database) -----------------------------------------------------------


def test_there_are_demo_files_for_at_least_six_departments():
    assert len(FILES) >= 6
    assert len({load(path)["department"]["code"] for path in FILES}) == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_demo_file_validates_against_the_published_schema(path):
    schema = json.loads((ROOT / "docs" / "submission.schema.json").read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in Draft202012Validator(schema).iter_errors(load(path))
    ]
    assert errors == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_demo_file_is_complete_and_consistent(path):
    data = load(path)
    department = data["department"]
    assert department["full_name"].startswith("临江市")
    assert department["email"].endswith("@linjiang.gov.example")
    assert 2 <= len(data["leaders"]) <= 3 and 4 <= len(data["staff"]) <= 6
    staff = {member["email"] for member in data["staff"]}
    assert all(member["email"].endswith("@linjiang.gov.example") for member in data["staff"])
    positions = {position["code"]: position for position in data["positions"]}
    assert 3 <= len(positions) <= 5
    assert all(position["holder"] in staff for position in positions.values())
    assert all(position.get("deputy") in staff | {None} for position in positions.values())
    assert department["default_complaint_position"] in positions
    for item in data["items"]:
        kinds = [step["kind"] for step in item["steps"]]
        assert kinds == STEP_ORDER, item["code"]
        assert all(step["position"] in positions for step in item["steps"])
        procedure = sum(step["time_limit"] for step in item["steps"] if step["kind"] != "complaint")
        assert procedure <= item["total_time_limit"], item["code"]
        acceptance, complaint = item["steps"][0], item["steps"][-1]
        assert acceptance["conditions"] and "consultation_time_limit" in acceptance
        for key in ("channels", "phone", "notification_method", "notification_time_limit"):
            assert complaint[key] or complaint[key] == 0, (item["code"], key)
        assert positions[complaint["position"]]["name"] == "投诉受理岗"
        assert item["materials"].startswith("1. ")


def test_demo_items_cover_what_the_demo_needs():
    items = [item for path in FILES for item in load(path)["items"]]
    assert len(items) >= 20
    assert len({item["code"] for item in items}) == len(items)
    assert sum(1 for item in items if item.get("major") and item.get("published")) >= 3
    assert any(not item.get("published") for item in items)
    assert any("排污许可证核发" in item["name"] and item.get("published") for item in items)
    people = [p["name"] for path in FILES for key in ("leaders", "staff") for p in load(path)[key]]
    assert len(set(people)) == len(people)


# --- after `kaimen demo` ------------------------------------------------------------------------


def counts() -> dict[str, int]:
    models = (
        Department, Leader, StaffMember, Position, ApprovalItem, ProcedureStep, ApplicationForm,
        User, AuditEntry,
    )  # fmt: skip
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in models
    }


@pytest.fixture
def demo(app, runner, tmp_path):
    # Keep the stored form files in this test's folder rather than the checkout's instance/.
    app.instance_path = str(tmp_path)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def test_demo_fills_the_directory(demo):
    shown = re.search(r"(\d+) departments and (\d+) approval items", demo.output)
    assert shown and int(shown[1]) >= 6 and int(shown[2]) >= 20
    departments = db.session.scalars(
        sa.select(Department).options(
            so.selectinload(Department.positions).selectinload(Position.holder),
            so.selectinload(Department.leaders),
            so.selectinload(Department.staff),
        )
    ).all()
    assert len(departments) >= 6
    for department in departments:
        assert department.default_complaint_position is not None, department.code
        assert len(department.leaders) >= 2 and len(department.staff) >= 4
        for leader in department.leaders:
            # A drawn silhouette, stored as a metadata-free JPEG thumbnail.
            assert leader.photo, leader.name
            assert uploads.path_for("photos", leader.photo).read_bytes()[:3] == b"\xff\xd8\xff"
        for position in department.positions:
            assert position.holder is not None, (department.code, position.code)
            assert position.holder.department_id == department.id


def test_demo_fills_the_catalog_with_complete_items(demo):
    items = db.session.scalars(
        sa.select(ApprovalItem).options(
            so.selectinload(ApprovalItem.steps), so.selectinload(ApprovalItem.forms)
        )
    ).all()
    assert len(items) >= 20
    published = [item for item in items if item.status == ItemStatus.PUBLISHED]
    assert len(published) < len(items)  # a draft, invisible to the public
    assert sum(item.is_major for item in published) >= 3
    assert any("排污" in item.name for item in published)
    elements = (
        "agency_name", "agency_address", "agency_phone", "eligibility", "materials",
        "fee_standard", "fee_basis", "legal_basis", "result",
    )  # fmt: skip
    for item in published:
        assert item.published_at is not None
        assert item.total_time_limit_days > 0
        assert all(getattr(item, name).strip() for name in elements), item.code
        assert [step.kind for step in item.steps] == list(StepKind), item.code
        for step in item.steps:
            assert step.position_id is not None and step.standard and step.shown_duties
        acceptance = item.step(StepKind.ACCEPTANCE)
        assert acceptance.conditions and acceptance.consultation_time_limit_days is not None
        complaint = item.step(StepKind.COMPLAINT)
        assert complaint.complaint_channels and complaint.complaint_phone
        assert complaint.notification_method and complaint.notification_time_limit_days


def test_every_published_item_offers_a_pdf_and_a_word_form(demo, app):
    items = db.session.scalars(
        sa.select(ApprovalItem)
        .where(ApprovalItem.status == ItemStatus.PUBLISHED)
        .options(so.selectinload(ApprovalItem.forms))
    ).all()
    for item in items:
        assert sorted(form.format for form in item.forms) == [FormFormat.PDF, FormFormat.WORD]
        for form in item.forms:
            data = uploads.path_for("forms", form.stored_name).read_bytes()
            assert len(data) == form.size
            if form.format == FormFormat.PDF:
                assert data.startswith(b"%PDF-") and form.filename.endswith("申请表.pdf")
            else:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    document = archive.read("word/document.xml").decode("utf-8")
                assert form.title in document and form.filename.endswith("申请表.docx")
    pollution = next(item for item in items if item.name == "排污许可证核发")
    assert {form.filename for form in pollution.forms} == {
        "排污许可证申请表.pdf",
        "排污许可证申请表.docx",
    }


def test_running_demo_twice_adds_nothing(demo, runner):
    before = counts()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert counts() == before


def test_the_demo_officer_acts_for_a_position_holder(demo):
    officer = db.session.scalar(sa.select(User).where(User.email == OFFICER))
    staff = db.session.scalars(
        sa.select(StaffMember).where(StaffMember.user_id == officer.id)
    ).all()
    assert staff, "the demo officer is linked to no member of staff"
    held = db.session.scalars(
        sa.select(Position).where(Position.holder_id.in_([member.id for member in staff]))
    ).all()
    assert any(position.name == "投诉受理岗" for position in held)
    # The items whose complaints reach that position, published for the public.
    routed = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(ApprovalItem.id)))
        .join(ApprovalItem.steps)
        .where(
            ApprovalItem.status == ItemStatus.PUBLISHED,
            ProcedureStep.kind == StepKind.COMPLAINT,
            ProcedureStep.position_id.in_([position.id for position in held]),
        )
    )
    assert routed >= 2
