"""Importing a submission file: create, idempotent re-import, update in place with an audited diff, dry run, drafts, order."""

from __future__ import annotations

import sqlalchemy as sa
import yaml

from disclosure.catalog.models import ItemStatus, StepKind
from disclosure.catalog.submission import dumps
from portal.extensions import db
from tests.disclosure.submission_helpers import (
    EXAMPLE,
    audit_entries,
    counts,
    department,
    edited,
    item,
    line_of,
    load,
    load_example,
)
from tests.disclosure.submission_helpers import english as english  # the fixture

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


# --- drafts and order -----------------------------------------------------------------------------


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
