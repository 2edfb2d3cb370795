"""The complaints' part of ``kaimen demo``: complaints in every state across several departments.

Filed by the demo citizen through the real intake service; answered, notified and closed through
the officer side's services (``complaints.officer``, ``complaints.notify``), acting as the
position's holder when the holder has an account, else as the demo administrator. Some are
overdue: their dates are moved into the past after filing (demo data only). Running it again
changes nothing (it stops if the demo citizen already has complaints).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from complaints import citizen, officer, routing
from complaints.intake import file_complaint
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    Notification,
    NotificationMethod,
    NotificationStatus,
)
from disclosure.catalog.models import ApprovalItem, ItemStatus
from disclosure.directory.models import Department, Position
from portal.accounts.models import User
from portal.extensions import db
from portal.workdays import add_working_days, local_date

DEMO_DOMAIN = "demo.kaimen.example"
CITIZEN_EMAIL = f"citizen@{DEMO_DOMAIN}"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"

CONTACT = {
    "contact_name": "张三",
    "contact_phone": "138 0000 0001",
    "contact_address": "临江市江北区滨河路 18 号 3 单元 502 室",
}

# (department index, subject, details, method, what happens, days in the past)
PLAN = [
    (0, "窗口受理时要求提供清单以外的材料",
     "我于本周一到行政审批科窗口申请排污许可证，工作人员要求额外提供**环评批复原件**，"
     "但公布的申办材料清单中没有这一项。请说明依据。", "email", "assigned", 0),
    (0, "审核环节超过公布时限仍无结果",
     "申请已受理 30 天，公布的审核时限为 2 个工作日，至今未收到任何通知。", "phone",
     "assigned", 40),
    (1, "收费与公布的收费标准不一致",
     "办理营业执照变更时被收取了工本费，而公布的收费标准为“不收费”。", "phone", "answered", 0),
    (2, "审定结果未按承诺方式告知",
     "承诺以短信告知审定结果，但我是从别人那里得知结果的。", "email", "notified", 3),
    (3, "窗口工作人员态度生硬",
     "咨询道路运输证办理流程时，工作人员不耐烦，没有一次性告知所需材料。", "email",
     "closed", 10),
    (4, "网上预约后到现场仍需重新排队",
     "网上预约了 9:30 的号，到现场被告知预约号无效，需要重新取号。", "portal", "received", 0),
    (5, "补正材料通知未写明具体问题",
     "收到的补正通知只写“材料不符合要求”，没有说明哪份材料、哪里不符合。", "letter",
     "answered", 25),
    (6, "规划许可公示期间意见无人回复",
     "在公示期内通过网站提交了意见，至今没有任何回复。", "email", "follow_up", 0),
]  # fmt: skip


def load_complaints_demo() -> None:
    complainant = db.session.scalar(sa.select(User).where(User.email == CITIZEN_EMAIL))
    if complainant is None:
        return
    if db.session.scalar(sa.select(Complaint.id).where(Complaint.complainant_id == complainant.id)):
        return
    departments = list(
        db.session.scalars(
            sa.select(Department)
            .order_by(Department.sort_order, Department.id)
            .options(so.joinedload(Department.default_complaint_position))
        )
    )
    if not departments:
        return
    admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
    for index, subject, details, method, outcome, days_ago in PLAN:
        department = departments[index % len(departments)]
        item = _first_item(department)
        complaint = _file(complainant, department, item, subject, details, method, outcome)
        if days_ago:
            _backdate(complaint, days_ago)
        actor = _handler(complaint.position) or admin
        _advance(complaint, outcome, actor, complainant, days_ago)
        db.session.flush()


def _first_item(department: Department) -> ApprovalItem | None:
    return db.session.scalar(
        sa.select(ApprovalItem)
        .where(
            ApprovalItem.department_id == department.id,
            ApprovalItem.status == ItemStatus.PUBLISHED,
        )
        .order_by(ApprovalItem.id)
        .limit(1)
    )


def _file(complainant, department, item, subject, details, method, outcome) -> Complaint:
    arguments = dict(
        subject=subject,
        details=details,
        contact_email=complainant.email,
        notification_method=NotificationMethod(method),
        **CONTACT,
    )
    if outcome != "received":
        if item is None:
            return file_complaint(complainant, department=department, **arguments)
        return file_complaint(complainant, item=item, **arguments)
    # A department without a complaint desk: the complaint waits for a supervisor to route it.
    default = department.default_complaint_position
    department.default_complaint_position = None
    try:
        return file_complaint(complainant, department=department, **arguments)
    finally:
        department.default_complaint_position = default


def _handler(position: Position | None) -> User | None:
    if position is None:
        return None
    for staff in (position.holder, position.deputy):
        if staff is not None and staff.user is not None:
            return staff.user
    return None


def _backdate(complaint: Complaint, days: int) -> None:
    """Move a just-filed complaint ``days`` into the past, its deadline counted again from then."""
    shift = timedelta(days=days)
    complaint.received_at -= shift
    complaint.received_on = local_date(complaint.received_at)
    step = routing.complaint_step_of(complaint.item)
    deadline = routing.handling_deadline(complaint.received_on, step)
    complaint.handling_due = deadline.date
    complaint.handling_due_provisional = deadline.provisional
    for event in db.session.scalars(
        sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
    ):
        event.created_at -= shift


def _advance(complaint: Complaint, outcome: str, actor, complainant, days_ago: int) -> None:
    if outcome in {"assigned", "received"} or actor is None:
        return
    if complaint.status == ComplaintStatus.RECEIVED:
        return  # nobody holds the position it would go to: it waits to be routed, as filed
    if outcome == "follow_up":
        citizen.follow_up(complaint, complainant, "补充：提交意见的时间是公示期第 3 天上午。")
        return
    officer.answer(
        complaint,
        actor,
        "经核查，情况基本属实。我局已对相关工作人员进行批评教育，并在窗口补充张贴了"
        "完整的申办材料清单。感谢您的监督。",
    )
    if outcome == "answered":
        if days_ago:
            _answered_long_ago(complaint, days_ago // 2)
        return
    pending = db.session.scalar(
        sa.select(Notification).where(
            Notification.complaint_id == complaint.id,
            Notification.status == NotificationStatus.PENDING,
        )
    )
    if pending is not None:
        officer.record_notification(pending, actor, None, "电话告知投诉人，投诉人表示知悉。")
    if outcome == "closed":
        officer.close(complaint, actor, "已告知投诉人处理结果。")
        citizen.rate(complaint, complainant, 4, "处理及时，态度有改进。")


def _answered_long_ago(complaint: Complaint, days: int) -> None:
    """The answer was given ``days`` ago and the complainant is still not told: overdue."""
    shift = timedelta(days=days)
    complaint.answered_at -= shift
    answered_on = local_date(complaint.answered_at)
    complaint.answered_on_time = answered_on <= complaint.handling_due
    step = routing.complaint_step_of(complaint.item)
    due = add_working_days(answered_on, routing.notification_days(step))
    complaint.notification_due = due.date
    complaint.notification_due_provisional = due.provisional
    for notification in db.session.scalars(
        sa.select(Notification).where(Notification.complaint_id == complaint.id)
    ):
        notification.due_on = due.date
        notification.created_at -= shift
    answered = db.session.scalar(
        sa.select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.kind == "answered")
        .order_by(ComplaintEvent.id.desc())
        .limit(1)
    )
    if answered is not None:
        answered.created_at -= shift
        answered.data = {**answered.data, "on_time": complaint.answered_on_time,
                         "notification_due": due.date.isoformat()}  # fmt: skip
