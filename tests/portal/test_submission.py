"""The submission format (报送规范): a department's file loads whole or not at all, with line-level errors."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from flask_babel import force_locale
from jsonschema import Draft202012Validator

from portal.audit import AuditEntry
from portal.catalog import services as catalog
from portal.catalog.models import ApprovalItem, ItemStatus, ProcedureStep, StepKind
from portal.catalog.submission import (
    FORMAT,
    SubmissionError,
    dumps,
    export_department,
    import_submission,
)
from portal.directory import services as directory
from portal.directory.models import Department, Leader, Position, StaffMember
from portal.extensions import db
from tests.conftest import make_user
from tests.portal.test_uploads import png

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


# --- the published contract ---------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12_and_the_example_follows_it():
    Draft202012Validator.check_schema(SCHEMA)
    example = yaml.safe_load(EXAMPLE)
    assert list(Draft202012Validator(SCHEMA).iter_errors(example)) == []
    assert example["format"] == FORMAT
    kinds = [step["kind"] for step in example["items"][0]["steps"]]
    assert kinds == [kind.value for kind in StepKind]  # all seven, in order
    assert len(example["positions"]) == 2 and len(example["items"]) == 2


def test_submission_error_reads_file_line_field_message():
    error = SubmissionError("a.yaml", 12, "items[0].code", "wrong")
    assert str(error) == "a.yaml:12: items[0].code: wrong"
    assert str(SubmissionError("a.yaml", None, "", "too large")) == "a.yaml: too large"


# --- loading the example ------------------------------------------------------------------------


def test_example_imports_everything(app, english):
    report = load_example()
    assert report.created == ["KM-CGJ-001", "KM-CGJ-002"]
    assert report.updated == report.unchanged == [] and report.department_created
    assert counts() == {
        "departments": 1,
        "leaders": 2,
        "staff_members": 3,
        "positions": 2,
        "approval_items": 2,
        "procedure_steps": 11,
        "audit_entries": 1 + 2 + 3 + 2 + 2,  # department, leaders, staff, positions, items
    }
    dept = department()
    assert dept.full_name == "开门市城市管理局（示例）" and dept.postcode == "300001"
    assert dept.functions.endswith("受理有关城市管理的投诉和举报。")  # the block's newline trimmed
    assert dept.default_complaint_position.code == "supervision"
    window = next(p for p in dept.positions if p.code == "window")
    assert window.holder.name == "张窗口" and window.deputy.name == "赵审核"
    assert window.holder_since is not None
    road = item("KM-CGJ-001")
    assert road.status == ItemStatus.PUBLISHED and road.published_at is not None and road.is_major
    assert [s.kind for s in road.steps] == list(StepKind)
    acceptance = road.step(StepKind.ACCEPTANCE)
    assert acceptance.consultation_time_limit_days == 5 and acceptance.position.code == "window"
    complaint = road.step(StepKind.COMPLAINT)
    assert (
        complaint.complaint_phone == "0000-12345612" and complaint.notification_time_limit_days == 3
    )
    ads = item("KM-CGJ-002")
    assert ads.status == ItemStatus.DRAFT and ads.published_at is None and not ads.is_major
    actions = sorted(entry.action for entry in audit_entries())
    assert actions.count("catalog.item.create") == 2
    assert actions.count("directory.staff.create") == 3
    assert "directory.department.create" in actions
    created = audit_entries("catalog.item.create")[0]
    assert created.subject_id == road.id and created.data["file"] == "km-cgj.yaml"
    assert created.data["changes"]["code"] == [None, "KM-CGJ-001"]
    assert created.data["changes"]["steps.review"][0] is None
    assert created.data["changes"]["steps.review"][1]["time_limit"] == 5


def test_importing_the_same_file_twice_changes_nothing_the_second_time(app, english):
    load_example()
    before = counts()
    stamps = (department().updated_at, item("KM-CGJ-001").updated_at)
    report = load(EXAMPLE)
    assert report.ok and report.unchanged == ["KM-CGJ-001", "KM-CGJ-002"]
    assert report.created == report.updated == [] and not report.department_changed
    assert not report.changed
    assert not (db.session.new or db.session.dirty or db.session.deleted)
    db.session.commit()
    assert counts() == before  # not one audit entry more
    db.session.expire_all()
    assert (department().updated_at, item("KM-CGJ-001").updated_at) == stamps


def test_a_changed_time_limit_updates_that_item_in_place_and_the_audit_says_exactly_that(
    app, english, admin
):
    load_example()
    road = item("KM-CGJ-001")
    ids = (road.id, [step.id for step in road.steps])
    audits = len(audit_entries())
    text = edited(
        (
            "        time_limit: 5\n        standard: 挖掘",
            "        time_limit: 7\n        standard: 挖掘",
        )
    )
    report = load(text, actor=admin)
    assert report.ok
    assert report.updated == ["KM-CGJ-001"] and report.unchanged == ["KM-CGJ-002"]
    assert report.changes == {"KM-CGJ-001": {"steps.review.time_limit": [5, 7]}}
    db.session.commit()
    db.session.expire_all()
    road = item("KM-CGJ-001")
    assert (road.id, [step.id for step in road.steps]) == ids
    assert road.step(StepKind.REVIEW).time_limit_days == 7
    new_entries = audit_entries()[audits:]
    assert [(e.action, e.subject_id, e.actor_id) for e in new_entries] == [
        ("catalog.item.update", road.id, admin.id)
    ]
    assert new_entries[0].data["changes"] == {"steps.review.time_limit": [5, 7]}


def test_item_fields_steps_added_and_removed_and_publication_are_audited(app, english):
    load_example()
    ads_id = item("KM-CGJ-002").id
    text = edited(
        ("    published: false              # 草稿：尚未向公众公开", "    published: true  # now"),
        ("    fee_standard: 不收费。", "    fee_standard: 每件 100 元（示例）。"),
        (
            "      - kind: decision\n        position: supervision\n        time_limit: 4\n"
            "        standard: 符合户外广告设置规划。\n",
            "      - kind: countersign\n        position: window\n        time_limit: 2\n",
        ),
    )
    report = load(text)
    assert report.ok, [str(e) for e in report.errors]
    changes = report.changes["KM-CGJ-002"]
    assert changes["published"] == [False, True]
    assert changes["fee_standard"] == ["不收费。", "每件 100 元（示例）。"]
    assert changes["steps.decision"][1] is None and changes["steps.decision"][0]["time_limit"] == 4
    assert changes["steps.countersign"][0] is None
    assert changes["steps.countersign"][1]["position"] == "window"
    db.session.commit()
    ads = item("KM-CGJ-002")
    assert ads.id == ads_id and ads.status == ItemStatus.PUBLISHED and ads.published_at
    assert [s.kind for s in ads.steps] == [
        StepKind.ACCEPTANCE,
        StepKind.REVIEW,
        StepKind.COUNTERSIGN,
        StepKind.COMPLAINT,
    ]
    entry = audit_entries("catalog.item.update")[-1]
    assert entry.data["changes"] == changes
    # Back to a draft: the first publication date stays.
    published_at = ads.published_at
    assert load(edited(("    published: true  # now", "    published: false"), text=text)).ok
    db.session.commit()
    assert item("KM-CGJ-002").status == ItemStatus.DRAFT
    assert item("KM-CGJ-002").published_at == published_at


def test_dry_run_reports_what_would_change_and_writes_nothing(app, english):
    report = load(EXAMPLE, dry_run=True)
    assert report.ok and report.dry_run and report.created == ["KM-CGJ-001", "KM-CGJ-002"]
    assert report.department_created and report.staff.created
    assert not (db.session.new or db.session.dirty or db.session.deleted)
    db.session.commit()
    assert set(counts().values()) == {0}

    load_example()
    before = counts()
    text = edited(
        (
            "        time_limit: 5\n        standard: 挖掘",
            "        time_limit: 7\n        standard: 挖掘",
        ),
        ("  short_name: 市城管局", "  short_name: 城管局"),
    )
    report = load(text, dry_run=True)
    assert report.ok and report.updated == ["KM-CGJ-001"]
    assert report.changes["KM-CGJ-001"] == {"steps.review.time_limit": [5, 7]}
    assert report.department_changes == {"short_name": ["市城管局", "城管局"]}
    db.session.commit()
    db.session.expire_all()
    assert counts() == before
    assert department().short_name == "市城管局"
    assert item("KM-CGJ-001").step(StepKind.REVIEW).time_limit_days == 5


def test_progress_is_reported_per_item(app):
    calls = []
    load(EXAMPLE, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


# --- the directory part is complete -------------------------------------------------------------


def test_leaders_staff_and_positions_missing_from_the_file_are_removed(app, english):
    load_example()
    text = edited(
        # 李样本 leaves; 钱督查 leaves and 孙新人 arrives as deputy of the supervision desk.
        (
            "  - name: 李样本\n    title: 副局长\n    portfolio: 分管审批服务处、市容环卫处，联系户外广告管理工作。\n"
            "    office_phone: 0000-12345602\n    email: li.yangben@cgj.kaimen.example\n",
            "",
        ),
        ("  - name: 钱督查", "  - name: 孙新人"),
        ("    email: qian.ducha@cgj.kaimen.example", "    email: sun.xinren@cgj.kaimen.example"),
        ("    deputy: qian.ducha@cgj.kaimen.example", "    deputy: sun.xinren@cgj.kaimen.example"),
    )
    report = load(text)
    assert report.ok, [str(e) for e in report.errors]
    assert report.leaders.removed == ["李样本"]
    assert report.staff.removed == ["qian.ducha@cgj.kaimen.example"]
    assert report.staff.created == ["sun.xinren@cgj.kaimen.example"]
    assert report.positions.updated == ["supervision"]
    assert report.unchanged == ["KM-CGJ-001", "KM-CGJ-002"] and report.department_changed
    db.session.commit()
    db.session.expire_all()
    dept = department()
    assert [leader.name for leader in dept.leaders] == ["王示范"]
    assert sorted(member.name for member in dept.staff) == ["孙新人", "张窗口", "赵审核"]
    supervision = next(p for p in dept.positions if p.code == "supervision")
    assert supervision.deputy.name == "孙新人"
    entry = audit_entries("directory.position.update")[-1]
    assert entry.data["changes"] == {
        "deputy": ["qian.ducha@cgj.kaimen.example", "sun.xinren@cgj.kaimen.example"]
    }
    assert [e.data["changes"]["name"] for e in audit_entries("directory.leader.delete")] == [
        ["李样本", None]
    ]


def test_a_new_holder_starts_holder_since_again(app, english):
    load_example()
    window = next(p for p in department().positions if p.code == "window")
    since = window.holder_since
    text = edited(
        ("    holder: zhang.chuangkou@cgj.kaimen.example\n    deputy: zhao.shenhe@cgj.kaimen.example",
         "    holder: qian.ducha@cgj.kaimen.example\n    deputy: zhao.shenhe@cgj.kaimen.example"),
    )  # fmt: skip
    report = load(text)
    assert report.positions.updated == ["window"]
    db.session.commit()
    db.session.expire_all()
    window = next(p for p in department().positions if p.code == "window")
    assert window.holder.name == "钱督查" and window.holder_since > since


def test_items_missing_from_the_file_are_left_as_they_are(app, english):
    load_example()
    start = EXAMPLE.index("  - code: KM-CGJ-002")
    report = load(EXAMPLE[:start])
    assert report.ok and report.unchanged == ["KM-CGJ-001"] and report.not_in_file == ["KM-CGJ-002"]
    db.session.commit()
    assert item("KM-CGJ-002") is not None


def test_a_position_still_named_by_an_item_not_in_the_file_cannot_be_removed(app, english):
    load_example()
    before = counts()
    start = EXAMPLE.index("  - code: KM-CGJ-002")
    # Without the window desk (item 1 moves to the supervision desk), and without item 2.
    text = edited(
        (
            "  - code: window\n    name: 受理窗口岗\n"
            "    duties: 接收申请材料，当场审查材料是否齐全、规范、有效；出具受理或不予受理通知书；送达审批结果。\n"
            "    holder: zhang.chuangkou@cgj.kaimen.example\n    deputy: zhao.shenhe@cgj.kaimen.example\n",
            "",
        ),
        text=EXAMPLE[:start],
    ).replace("position: window", "position: supervision")
    report = load(text)
    assert [(e.line, e.field) for e in report.errors] == [
        (line_of(text, "positions:"), "positions")
    ]
    assert "KM-CGJ-002" in report.errors[0].message and "window" in report.errors[0].message
    assert counts() == before


def test_rows_of_other_tables_keep_a_position_from_being_removed(app, english):
    """A feature's table (say complaints routed to a position) is found by its foreign key."""
    load_example()
    table = sa.Table(
        "test_position_routes",
        db.metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("position_id", sa.ForeignKey("positions.id", ondelete="RESTRICT")),
    )
    try:
        table.create(db.engine)
        window = next(p for p in department().positions if p.code == "window")
        db.session.execute(table.insert().values(position_id=window.id))
        db.session.commit()
        text = edited(
            (
                "  - code: window\n    name: 受理窗口岗\n"
                "    duties: 接收申请材料，当场审查材料是否齐全、规范、有效；出具受理或不予受理通知书；送达审批结果。\n"
                "    holder: zhang.chuangkou@cgj.kaimen.example\n    deputy: zhao.shenhe@cgj.kaimen.example\n",
                "",
            ),
        ).replace("position: window", "position: supervision")
        report = load(text)
        assert [e.field for e in report.errors] == ["positions"]
        assert "test_position_routes" in report.errors[0].message
    finally:
        db.session.rollback()
        db.session.close()
        table.drop(db.engine)
        db.metadata.remove(table)


def test_an_item_code_of_another_department_is_refused(app, english):
    load_example()
    before = counts()
    text = edited(
        ("  code: km-cgj\n", "  code: km-other\n"),
        ("  - code: KM-CGJ-002", "  - code: KM-OTHER-002"),
    )
    report = load(text, "km-other.yaml")
    assert [(e.line, e.field) for e in report.errors] == [
        (line_of(text, "- code: KM-CGJ-001"), "items[0].code")
    ]
    assert "KM-CGJ-001" in report.errors[0].message and "市城管局" in report.errors[0].message
    assert counts() == before


# --- one error of each kind, with its line and field; nothing written ----------------------------

ADS_REVIEW = "      - kind: review\n        position: supervision\n        time_limit: 8"
ADS_DECISION = "      - kind: decision\n        position: supervision\n        time_limit: 4"
ADS_COMPLAINT = (
    "      - kind: complaint\n        position: supervision\n        time_limit: 10\n"
    "        channels: 开门门户网站“投诉”栏目、投诉电话。\n        phone: 0000-12345612\n"
    "        notification_method: 电子邮件或电话告知投诉人\n        notification_time_limit: 3\n"
)
ADS_DRAFT = "    published: false              # 草稿：尚未向公众公开"
ADS_ACCEPTANCE = (
    "      - kind: acceptance\n        position: window\n        time_limit: 1\n"
    "        standard: 申办材料齐全、规范、有效。\n"
)

# (id, replacements, field, (needle, occurrence) of the line, words of the message)
CASES = [
    ("missing element", [("    legal_basis: 《开门市户外广告设置管理办法》（示例）第十二条。\n", "")],
     "items[1].legal_basis", ("- code: KM-CGJ-002", 1), "missing element: legal_basis"),
    ("unknown position", [(ADS_REVIEW, ADS_REVIEW.replace("supervision", "nobody"))],
     "items[1].steps[1].position", ("position: nobody", 1), "unknown position nobody"),
    ("fractional time limit",
     [("        time_limit: 5\n        standard: 挖掘", "        time_limit: 2.5\n        standard: 挖掘")],
     "items[0].steps[1].time_limit", ("time_limit: 2.5", 1),
     "a time limit must be a whole number of working days (got 2.5)"),
    ("time limit as text", [("time_limit: 8", "time_limit: 八天")],
     "items[1].steps[1].time_limit", ("time_limit: 八天", 1), "whole number of working days"),
    ("negative time limit", [("time_limit: 8", "time_limit: -1")],
     "items[1].steps[1].time_limit", ("time_limit: -1", 1), "cannot be negative"),
    ("zero total time limit", [("total_time_limit: 15", "total_time_limit: 0")],
     "items[1].total_time_limit", ("total_time_limit: 0", 1), "at least 1 working day"),
    ("duplicate item code", [("  - code: KM-CGJ-002", "  - code: KM-CGJ-001")],
     "items[1].code", ("- code: KM-CGJ-001", 2), "KM-CGJ-001 is used twice"),
    ("step out of order", [(ADS_REVIEW, ADS_REVIEW.replace("review", "notification"))],
     "items[1].steps[2].kind", ("- kind: decision", 2), "out of order"),
    ("step repeated", [(ADS_DECISION, ADS_DECISION.replace("decision", "review"))],
     "items[1].steps[2].kind", ("- kind: review", 3), "two review steps"),
    ("unknown step kind", [(ADS_DECISION, ADS_DECISION.replace("decision", "approval"))],
     "items[1].steps[2].kind", ("- kind: approval", 1), "unknown step kind"),
    ("published without acceptance step", [(ADS_DRAFT, "    published: true"), (ADS_ACCEPTANCE, "")],
     "items[1].steps", ("    steps:", 2), "no acceptance step"),
    ("published without complaint step", [(ADS_DRAFT, "    published: true"), (ADS_COMPLAINT, "")],
     "items[1].steps", ("    steps:", 2), "no complaint step"),
    ("draft with a step repeated", [(ADS_ACCEPTANCE, ""), (ADS_DECISION, ADS_REVIEW)],
     "items[1].steps[1].kind", ("- kind: review", 3), "two review steps"),
    ("draft with a complaint step without phone",
     [(ADS_ACCEPTANCE, ""), (ADS_COMPLAINT, ADS_COMPLAINT.replace("        phone: 0000-12345612\n", ""))],
     "items[1].steps[2].phone", ("- kind: complaint", 2), "the complaint step needs phone"),
    ("phone too short once trimmed", [("  public_phone: 0000-12345600", '  public_phone: " 1 "')],
     "department.public_phone", ("public_phone:", 1), "too short"),
    ("negative sort order", [("  default_complaint_position: supervision\n",
                              "  default_complaint_position: supervision\n  sort_order: -1\n")],
     "department.sort_order", ("sort_order: -1", 1), "from 0 to 1000000"),
    ("complaint field on another step",
     [(ADS_DECISION, ADS_DECISION + "\n        channels: 来信来访")],
     "items[1].steps[2].channels", ("channels: 来信来访", 1), "only on the complaint step"),
    ("consultation time limit on another step",
     [(ADS_REVIEW, ADS_REVIEW + "\n        consultation_time_limit: 3")],
     "items[1].steps[1].consultation_time_limit", ("consultation_time_limit: 3", 1),
     "only on the acceptance step"),
    ("complaint step without notification method",
     [("        notification_method: 电子邮件或电话告知投诉人\n", "")],
     "items[1].steps[3].notification_method", ("- kind: complaint", 2),
     "the complaint step needs notification_method"),
    ("invalid leader email", [("email: li.yangben@cgj.kaimen.example", "email: li.yangben(at)cgj")],
     "leaders[1].email", ("li.yangben(at)cgj", 1), "not a valid email address"),
    ("invalid staff email",
     [("    email: zhang.chuangkou@cgj.kaimen.example", "    email: zhang chuangkou@cgj.kaimen.example")],
     "staff[0].email", ("zhang chuangkou", 1), "not a valid email address"),
    ("invalid department email", [("email: office@cgj.kaimen.example", "email: office@cgj")],
     "department.email", ("email: office@cgj", 1), "not a valid email address"),
    ("unknown field", [("    legal_basis: 《开门市户外广告", "    legal_basi: 《开门市户外广告")],
     "items[1].legal_basi", ("legal_basi:", 1), "unknown field legal_basi: did you mean legal_basis?"),
    ("holder not on the staff",
     [("    holder: zhang.chuangkou@cgj.kaimen.example", "    holder: nobody@cgj.kaimen.example")],
     "positions[0].holder", ("holder: nobody@", 1), "not among the staff"),
    ("deputy without a holder", [("    holder: zhang.chuangkou@cgj.kaimen.example\n", "")],
     "positions[0].deputy", ("deputy: zhao.shenhe", 1), "vacant position"),
    ("unknown default complaint position",
     [("default_complaint_position: supervision", "default_complaint_position: letters")],
     "department.default_complaint_position", ("default_complaint_position:", 1),
     "unknown position letters"),
    ("duplicate position code", [("  - code: supervision\n", "  - code: window\n")],
     "positions[1].code", ("- code: window", 2), "position window is listed twice"),
    ("duplicate staff email",
     [("    email: qian.ducha@cgj.kaimen.example", "    email: Zhao.Shenhe@cgj.kaimen.example")],
     "staff[2].email", ("Zhao.Shenhe", 1), "is listed twice"),
    ("duplicate leader name", [("  - name: 李样本", "  - name: 王示范")],
     "leaders[1].name", ("- name: 王示范", 2), "leader 王示范 is listed twice"),
    ("blank element", [("    fee_standard: 不收费。", '    fee_standard: "  "')],
     "items[1].fee_standard", ('fee_standard: "  "', 1), "must not be empty"),
    ("too long", [("  short_name: 市城管局", "  short_name: " + "长" * 61)],
     "department.short_name", ("short_name: 长", 1), "at most 60"),
    ("postcode", [('postcode: "300001"', 'postcode: "3000"')],
     "department.postcode", ("postcode:", 1), "six digits"),
    ("number where text is wanted", [('postcode: "300001"', "postcode: 300001")],
     "department.postcode", ("postcode:", 1), "put it in quotes"),
    ("wrong format", [("format: kaimen-submission/1", "format: kaimen-submission/9")],
     "format", ("format: kaimen", 1), "not a Kaimen submission file"),
    ("missing list", [("leaders:                          # 领导信息", "chiefs:")],
     "leaders", ("format:", 1), "missing field: leaders"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("replacements", "field", "where", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_error_names_its_line_and_field_and_nothing_is_written(
    app, english, replacements, field, where, words
):
    load_example()
    before = counts()
    # The file also carries a good change: it must not be applied either.
    text = (
        edited(*replacements, ("  short_name: 市城管局\n", "  short_name: 城管局\n"))
        if ("short_name" not in field)
        else edited(*replacements)
    )
    report = load(text)
    assert not report.ok
    expected_line = line_of(text, *where)
    matching = [e for e in report.errors if e.field == field]
    assert matching, [str(e) for e in report.errors]
    assert matching[0].line == expected_line, [str(e) for e in report.errors]
    assert words in matching[0].message, [str(e) for e in report.errors]
    assert str(matching[0]).startswith(f"km-cgj.yaml:{expected_line}: {field}: ")
    assert report.errors == sorted(report.errors, key=lambda e: (e.line or 0, e.field, e.message))
    assert not (db.session.new or db.session.dirty or db.session.deleted)
    db.session.commit()
    assert counts() == before
    assert department().short_name == "市城管局"


def test_every_error_is_reported_at_once_in_line_order(app, english):
    text = edited(
        ("email: li.yangben@cgj.kaimen.example", "email: nope"),
        (
            "        time_limit: 5\n        standard: 挖掘",
            "        time_limit: 2.5\n        standard: 挖掘",
        ),
        ("  - code: KM-CGJ-002", "  - code: KM-CGJ-001"),
    )
    report = load(text)
    assert [(e.line, e.field) for e in report.errors] == [
        (line_of(text, "email: nope"), "leaders[1].email"),
        (line_of(text, "time_limit: 2.5"), "items[0].steps[1].time_limit"),
        (line_of(text, "- code: KM-CGJ-001", 2), "items[1].code"),
    ]
    assert set(counts().values()) == {0}


def test_a_json_file_reports_lines_too(app, english):
    data = yaml.safe_load(EXAMPLE)
    data["items"][1]["steps"][1]["time_limit"] = 2.5
    del data["items"][0]["legal_basis"]
    text = json.dumps(data, ensure_ascii=False, indent="\t")  # tabs: not YAML, still JSON
    report = load(text, "km-cgj.json")
    assert [(e.line, e.field) for e in report.errors] == [
        (line_of(text, '"code": "KM-CGJ-001"') - 1, "items[0].legal_basis"),
        (line_of(text, '"time_limit": 2.5'), "items[1].steps[1].time_limit"),
    ]  # fmt: skip
    assert set(counts().values()) == {0}


def test_a_json_file_without_errors_loads(app, english):
    text = json.dumps(yaml.safe_load(EXAMPLE), ensure_ascii=True)  # \u escapes, one line
    report = load(text, "upload")  # no extension: recognised by its first character
    assert report.ok and report.created == ["KM-CGJ-001", "KM-CGJ-002"]


@pytest.mark.parametrize(
    ("text", "name", "line", "words"),
    [
        ("format: x\nformat: y\n", "a.yaml", 2, "duplicate key format"),
        ('{"format": "x",\n "format": "y"}', "a.json", 2, "duplicate key format"),
        ("department:\n  code: [\n", "a.yaml", 3, "YAML syntax error"),
        ('{"format": "x",\n "department": }', "a.json", 2, "JSON syntax error"),
        ('{"format": "x"} extra', "a.json", 1, "after the end"),
        ("a: &x [1, 2]\nb: *x\n", "a.yaml", 2, "aliases"),
        ("a: !!python/object:os.system {}\n", "a.yaml", 1, "tags"),
        ("", "a.yaml", 1, "empty"),
        ("- just\n- a list\n", "a.yaml", 1, "must describe one department"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_line(app, english, text, name, line, words):
    report = load(text, name)
    assert not report.ok
    matching = [e for e in report.errors if words in e.message]
    assert matching and matching[0].line == line, [str(e) for e in report.errors]
    assert set(counts().values()) == {0}


def test_a_billion_laughs_file_is_refused_quickly(app, english):
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    started = time.perf_counter()
    report = load(text)
    assert time.perf_counter() - started < 1
    assert not report.ok and "aliases" in report.errors[0].message


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


def test_large_and_non_utf8_files_are_refused(app, english):
    big = load(b"# " + b"x" * (5 * 1024 * 1024))
    assert not big.ok and "5 MB" in big.errors[0].message
    gbk = load(EXAMPLE.encode("gb18030"))
    assert not gbk.ok and "UTF-8" in gbk.errors[0].message and "GBK" in gbk.errors[0].message
    assert gbk.errors[0].line == 1  # the first Chinese character is in the first line
    assert load("\ufeff".encode() + EXAMPLE.encode()).ok  # a UTF-8 byte-order mark is fine


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


def test_a_draft_may_lack_steps_and_a_published_item_may_not(app, english):
    data = yaml.safe_load(EXAMPLE)
    draft = data["items"][1]
    assert draft["published"] is False
    draft["steps"] = []
    report = load(dumps(data, "yaml"))
    assert report.ok, [str(e) for e in report.errors]
    db.session.commit()
    assert item("KM-CGJ-002").steps == []
    # A published item with no steps at all names both missing steps.
    draft["published"] = True
    text = dumps(data, "yaml")
    report = load(text)
    assert [(e.field, e.line) for e in report.errors] == [
        ("items[1].steps", line_of(text, "steps: []")),
        ("items[1].steps", line_of(text, "steps: []")),
    ]
    assert {e.message.split(" (")[0] for e in report.errors} == {
        "the procedure has no acceptance step",
        "the procedure has no complaint step",
    }
    assert "make the item a draft" in report.errors[0].message


def test_department_order_in_the_file_is_optional_and_kept_when_absent(app, english):
    load_example()
    dept = department()
    dept.sort_order = 4  # as the editor may set it
    db.session.commit()
    assert load(EXAMPLE).unchanged == ["KM-CGJ-001", "KM-CGJ-002"]  # absent: left as it is
    db.session.commit()
    assert department().sort_order == 4
    moved = yaml.safe_load(EXAMPLE)
    moved["department"]["sort_order"] = 1
    report = load(dumps(moved, "yaml"))
    assert report.department_changes == {"sort_order": [4, 1]}
    db.session.commit()
    assert department().sort_order == 1


def test_the_order_of_leaders_staff_and_positions_is_their_place_in_the_file(app, english):
    load_example()
    dept = department()
    dept.leaders[0].sort_order, dept.leaders[1].sort_order = 30, 20  # 李样本 first now
    db.session.commit()
    report = load(EXAMPLE)
    assert report.leaders.updated == ["王示范", "李样本"]
    entry = audit_entries("directory.leader.update")[-1]
    assert entry.data["changes"] == {"sort_order": [0, 1]}
    db.session.commit()
    assert [leader.name for leader in department().leaders] == ["王示范", "李样本"]
    assert [leader.sort_order for leader in department().leaders] == [0, 1]


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
