"""The world of the application tests: a department whose acceptance, review, decision and
notification positions are held by officers with accounts, a supervisor, an item offered online
(fields of every interesting type, a required PDF/DOCX form and an optional photo), an applicant
with a declared identity, and helpers that fill, submit and walk an application through its steps.

Import the fixtures into a test module with ``from tests.approvals.application_world import *``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale
from PIL import Image

from approvals import officer_services, procedure, review, services
from approvals.materials import Incoming
from disclosure.catalog.models import StepKind
from disclosure.catalog.online_models import (
    ApplicantKind,
    FieldType,
    FormField,
    IdentityLevel,
    MaterialSpec,
    OnlineSpec,
)
from disclosure.directory.models import StaffMember
from portal.accounts.models import Role
from portal.extensions import db
from tests.approvals.identity_helpers import declare_person
from tests.conftest import make_user
from tests.disclosure.factories import make_department, make_item

__all__ = [
    "DOCX",
    "PDF",
    "VALUES",
    "acceptor",
    "applicant",
    "at",
    "copies",
    "decider",
    "department",
    "docx",
    "english",
    "files",
    "fill",
    "item",
    "link_staff",
    "other_officer",
    "outsider",
    "png",
    "reviewer",
    "submit",
    "supervisor",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


DOCX = docx()

# A valid resident ID number and credit code (check digits right).
LEGAL_ID = "330106198507150013"
CREDIT = "91330106MA2B00001Y"

VALUES = {
    "company": "临江市清源环保科技有限公司",
    "legal_id": LEGAL_ID,
    "credit": CREDIT,
    "phone": "13800000000",
    "scale": "中型",
    "output": "1200",
    "start": "2026-12-01",
}


def at(day, hour: int = 10):
    """Travel to ``day`` at ``hour`` in Shanghai (a context manager)."""
    moment = datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)
    return time_machine.travel(moment, tick=False)


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def link_staff(department, user, title: str = "科员") -> StaffMember:
    staff = StaffMember(
        name=user.display_name,
        title=title,
        duties="审批",
        office_phone="0999-8800 1100",
        email=user.email,
        user_id=user.id,
    )
    department.staff.append(staff)
    db.session.flush()
    return staff


@pytest.fixture
def department(app):
    dept = make_department()
    db.session.commit()
    return dept


def _officer(department, email, name, code):
    user = make_user(email, name=name, roles={Role.OFFICER})
    user.locale = "en"
    position = next(p for p in department.positions if p.code == code)
    position.holder = link_staff(department, user)
    position.deputy = None
    db.session.commit()
    return user


@pytest.fixture
def acceptor(department):
    return _officer(department, "window@linjiang.gov.example", "受理岗钱", "window")


@pytest.fixture
def reviewer(department):
    return _officer(department, "review@linjiang.gov.example", "审核岗孙", "review")


@pytest.fixture
def decider(department):
    return _officer(department, "decision@linjiang.gov.example", "审定岗李", "decision")


@pytest.fixture
def supervisor(department):
    user = make_user("boss@linjiang.gov.example", name="科长", roles={Role.SUPERVISOR})
    link_staff(department, user, "审批科科长")
    db.session.commit()
    return user


@pytest.fixture
def other_officer(app):
    """Holds a position, in another department."""
    other = make_department("lj-zjj", "临江市住房和城乡建设局")
    user = make_user("other@zjj.gov.example", name="他局经办", roles={Role.OFFICER})
    other.positions[0].holder = link_staff(other, user)
    db.session.commit()
    return user


@pytest.fixture
def outsider(app):
    user = make_user("outsider@example.com", name="路人")
    declare_person(user, "110101199003070011", "王五")
    return user


@pytest.fixture
def item(department, acceptor, reviewer, decider):
    """审批 item offered online: 受理 5 days, 审核 2, 审定 2, 告知 (no 复审, no 会签)."""
    approval_item = make_item(department)
    approval_item.steps = [
        s for s in approval_item.steps if s.kind not in {StepKind.RE_REVIEW, StepKind.COUNTERSIGN}
    ]
    approval_item.step(StepKind.ACCEPTANCE).time_limit_days = 5
    spec = OnlineSpec(
        enabled=True,
        applicant_kind=ApplicantKind.BOTH,
        identity_level=IdentityLevel.EMAIL,
        statutory_limit_days=20,
        promised_limit_days=None,
        version=1,
    )
    spec.fields = [
        FormField(key="company", label_zh="单位名称", label_en="Company name",
                  type=FieldType.TEXT, required=True, max_length=50, sort_order=1),
        FormField(key="legal_id", label_zh="法定代表人身份证号", label_en="Legal representative's ID",
                  type=FieldType.ID_CARD, required=True, sort_order=2),
        FormField(key="credit", label_zh="统一社会信用代码", label_en="Credit code",
                  type=FieldType.CREDIT_CODE, required=False, sort_order=3),
        FormField(key="phone", label_zh="联系电话", label_en="Phone",
                  type=FieldType.PHONE, required=True, sort_order=4),
        FormField(key="scale", label_zh="规模", label_en="Scale", type=FieldType.CHOICE,
                  required=True, choices=["小型", "中型", "大型"], sort_order=5),
        FormField(key="output", label_zh="年排放量", label_en="Yearly output",
                  type=FieldType.NUMBER, min_value=0, max_value=1_000_000, sort_order=6),
        FormField(key="start", label_zh="投产日期", label_en="Start date",
                  type=FieldType.DATE, sort_order=7),
    ]  # fmt: skip
    spec.materials = [
        MaterialSpec(name="排污许可证申请表", required=True, accepted_types=["pdf", "docx"],
                     max_bytes=1024 * 1024, note="盖章扫描件", sort_order=1),
        MaterialSpec(name="现场照片", required=False, accepted_types=["jpg", "png"],
                     max_bytes=100 * 1024, sort_order=2),
    ]  # fmt: skip
    approval_item.online = spec
    db.session.commit()
    return approval_item


@pytest.fixture
def applicant(app):
    user = make_user("applicant@example.com", name="申请人甲")
    user.locale = "en"
    db.session.commit()
    declare_person(user)
    return user


def files(**overrides) -> dict[str, Incoming]:
    chosen = {"m1": Incoming("申请表.pdf", PDF), **overrides}
    return {k: v for k, v in chosen.items() if v is not None}


def fill(user, item, values=None, materials=None):
    """Save a draft with the default values and files (overrides merged in); commits."""
    application = services.save_draft(
        user,
        item,
        {**VALUES, **(values or {})},
        files() if materials is None else materials,
        application=services.find_draft(user, item),
    )
    db.session.commit()
    return application


def submit(user, item, **kwargs):
    """Fill and submit; returns (application, query code)."""
    application = fill(user, item, **kwargs)
    code = services.submit(application, user)
    db.session.commit()
    return application, code


def copies(application, count: int) -> list:
    """``count`` more applications like ``application`` (same applicant, item, status and dues;
    the n-th copy due n days later) with copies of its open tasks; commits. Quicker than
    submitting each: for the tests that count statements at many rows."""
    from approvals.application_models import Application, ApplicationTask

    skip = {"id", "number", "query_code_hash"}
    keys = [c.key for c in sa.inspect(Application).column_attrs if c.key not in skip]
    task_keys = [c.key for c in sa.inspect(ApplicationTask).column_attrs if c.key != "id"]
    tasks = procedure.open_tasks(application)
    made = []
    start = db.session.scalar(
        sa.select(sa.func.count()).where(Application.number.like(f"{application.number}c%"))
    )
    for n in range(start + 1, start + count + 1):
        copy = Application(**{k: getattr(application, k) for k in keys})
        copy.number = f"{application.number}c{n:03d}"
        for key in ("acceptance_due", "decision_due"):
            if getattr(application, key) is not None:
                setattr(copy, key, getattr(application, key) + timedelta(days=n))
        db.session.add(copy)
        db.session.flush()
        for task in tasks:
            values = {k: getattr(task, k) for k in task_keys}
            values.update(application_id=copy.id, due_on=task.due_on + timedelta(days=n))
            db.session.add(ApplicationTask(**values))
        made.append(copy)
    db.session.commit()
    return made


def walk_to_decision(application, acceptor, reviewer):
    officer_services.accept(application, acceptor)
    db.session.commit()
    review.record_opinion(application, reviewer, "agree", "材料齐全，符合条件")
    db.session.commit()
    return application
