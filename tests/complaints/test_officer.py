"""The officer's services: answer, notes, transfer (and its deadline rule), route, close, reopen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from complaints import officer
from complaints.errors import ComplaintError
from complaints.models import (
    ComplaintEvent,
    ComplaintStatus,
    EventKind,
    NotificationMethod,
)
from complaints.states import IllegalTransition
from portal.audit import AuditEntry
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import OutboundMessage
from portal.workdays import add_working_days, local_date
from tests.complaints.officer_world import reload, set_due


def events(complaint, kind):
    return list(
        db.session.scalars(
            sa.select(ComplaintEvent)
            .where(ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.kind == kind)
            .order_by(ComplaintEvent.id)
        )
    )


def audit_actions(complaint):
    return set(
        db.session.scalars(
            sa.select(AuditEntry.action).where(
                AuditEntry.subject_type == "complaint", AuditEntry.subject_id == complaint.id
            )
        )
    )


def today():
    return local_date(utcnow())


def test_answer_sanitises_sets_on_time_and_starts_the_notification_deadline(make_complaint, holder):
    complaint = make_complaint(notification_method="portal")
    officer.answer(complaint, holder, "已**核实**。<script>alert(1)</script>")
    db.session.commit()
    complaint = reload(complaint)
    answer = events(complaint, EventKind.ANSWERED)[0]
    assert "<strong>核实</strong>" in answer.body_html and "<script" not in answer.body_html
    assert complaint.answered_on_time is True
    # The item's complaint step gives 3 working days to notify, from the day of the answer.
    assert complaint.notification_due == add_working_days(today(), 3).date
    assert complaint.status == ComplaintStatus.NOTIFIED  # portal: told at once
    assert complaint.notified_on_time is True
    assert {"complaint.answered", "complaint.notified"} <= audit_actions(complaint)


def test_an_answer_after_the_deadline_is_late(make_complaint, holder):
    complaint = set_due(make_complaint(), today() - timedelta(days=1))
    officer.answer(complaint, holder, "迟到的答复")
    assert complaint.answered_on_time is False


def test_an_empty_answer_is_refused(make_complaint, holder):
    complaint = make_complaint()
    with pytest.raises(ComplaintError):
        officer.answer(complaint, holder, "   ")
    assert complaint.status == ComplaintStatus.ASSIGNED


def test_a_complaint_is_answered_once(make_complaint, holder):
    complaint = make_complaint(notification_method="phone")
    officer.answer(complaint, holder, "答复")
    with pytest.raises(IllegalTransition):
        officer.answer(complaint, holder, "再答复")


def test_note_is_internal(make_complaint, deputy):
    complaint = make_complaint()
    note = officer.add_note(complaint, deputy, "内部：请法规科把关")
    assert note.internal is True and note.kind == EventKind.NOTE
    assert "complaint.note" in audit_actions(complaint)


def test_transfer_within_the_department_keeps_the_deadline(make_complaint, holder, department):
    complaint = make_complaint()
    due = complaint.handling_due
    target = next(p for p in department.positions if p.code == "review")
    officer.transfer(complaint, holder, target, "属审核岗职责")
    db.session.commit()
    complaint = reload(complaint)
    assert complaint.position_id == target.id
    assert complaint.status == ComplaintStatus.ASSIGNED
    assert complaint.handling_due == due
    assert events(complaint, EventKind.DEADLINE_RECOMPUTED) == []
    transferred = events(complaint, EventKind.TRANSFERRED)[0]
    assert transferred.data["reason"] == "属审核岗职责"
    # The new holder (the department's 周明远 desk) is sent the complaint.
    mail = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.kind == "complaint_transferred_officer")
    ).one()
    assert mail.recipients == [target.holder.email]
    assert complaint.tracking_number in mail.body_text


def test_transfer_to_another_department_restarts_the_count(
    make_complaint, holder, other_department, other_officer
):
    complaint = set_due(make_complaint(), today() - timedelta(days=3))
    target = other_department.positions[0]
    officer.transfer(complaint, holder, target, "属住建局职责")
    db.session.commit()
    complaint = reload(complaint)
    assert complaint.department_id == other_department.id
    assert complaint.handling_due == add_working_days(today(), 5).date  # the step's 5 days
    recomputed = events(complaint, EventKind.DEADLINE_RECOMPUTED)
    assert len(recomputed) == 1 and recomputed[0].data["cause"] == "transfer"


def test_transfer_needs_a_reason_and_another_position(make_complaint, holder, complaint_position):
    complaint = make_complaint()
    with pytest.raises(ComplaintError):
        officer.transfer(complaint, holder, complaint_position, "原岗位")
    with pytest.raises(ComplaintError):
        officer.transfer(complaint, holder, None, "理由")
    with pytest.raises(ComplaintError):
        officer.transfer(complaint, holder, complaint_position, " ")


def test_route_assigns_a_received_complaint(make_complaint, supervisor, department):
    complaint = make_complaint()
    complaint.status = ComplaintStatus.RECEIVED
    complaint.position_id = None
    complaint.handling_due = None
    db.session.commit()
    target = next(p for p in department.positions if p.code == "review")
    officer.route(complaint, supervisor, target)
    assert complaint.status == ComplaintStatus.ASSIGNED
    assert complaint.position_id == target.id
    assert complaint.handling_due == add_working_days(complaint.received_on, 5).date


def test_close_only_after_notification_then_reopen(make_complaint, holder, supervisor):
    complaint = make_complaint(notification_method="phone")
    officer.answer(complaint, holder, "答复")
    with pytest.raises(IllegalTransition):
        officer.close(complaint, holder)  # answered, but not yet told
    notification = complaint_notification(complaint)
    officer.record_notification(notification, holder, utcnow(), "电话告知本人")
    officer.close(complaint, holder, "已办结")
    assert complaint.status == ComplaintStatus.CLOSED and complaint.closed_at is not None
    with pytest.raises(ComplaintError):
        officer.reopen(complaint, supervisor, "")
    officer.reopen(complaint, supervisor, "答复不完整")
    assert complaint.status == ComplaintStatus.ASSIGNED
    assert complaint.closed_at is None
    assert complaint.handling_due == add_working_days(today(), 5).date
    assert {"complaint.closed", "complaint.reopened"} <= audit_actions(complaint)


def complaint_notification(complaint):
    from complaints.models import Notification

    return db.session.scalars(
        sa.select(Notification).where(Notification.complaint_id == complaint.id)
    ).one()


def test_record_notification_refuses_the_future_and_twice(make_complaint, holder):
    complaint = make_complaint(notification_method="letter")
    officer.answer(complaint, holder, "答复")
    notification = complaint_notification(complaint)
    assert notification.method == NotificationMethod.LETTER
    with pytest.raises(ComplaintError):
        officer.record_notification(notification, holder, utcnow() + timedelta(days=1), "寄出")
    with pytest.raises(ComplaintError):
        officer.record_notification(notification, holder, utcnow(), "")
    officer.record_notification(notification, holder, utcnow(), "挂号信 XA123")
    with pytest.raises(IllegalTransition):  # the complaint is notified already
        officer.record_notification(notification, holder, utcnow(), "再次")


def test_recorded_after_the_notification_deadline_is_late(make_complaint, holder):
    complaint = make_complaint(notification_method="phone")
    officer.answer(complaint, holder, "答复")
    complaint.notification_due = date(2000, 1, 1)  # long past
    officer.record_notification(complaint_notification(complaint), holder, utcnow(), "电话")
    assert complaint.notified_on_time is False
    assert complaint.status == ComplaintStatus.NOTIFIED


def test_holder_and_deputy_answering_at_once_on_postgresql(
    app, backend, make_complaint, holder, deputy
):
    """The second answer waits for the first one's row lock, then is refused."""
    import threading

    from complaints.models import Complaint

    if backend != "postgresql":
        pytest.skip("SQLite serialises writers; row locks are tested on PostgreSQL")
    complaint_id = make_complaint(notification_method="portal").id
    barrier = threading.Barrier(2)
    outcomes = []

    def answer(officer_user, text):
        with app.app_context():
            complaint = db.session.get(Complaint, complaint_id)
            user = db.session.merge(officer_user)
            barrier.wait(timeout=30)
            try:
                officer.answer(complaint, user, text)
                db.session.commit()
                outcomes.append("answered")
            except IllegalTransition:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=answer, args=(holder, "周的答复")),
        threading.Thread(target=answer, args=(deputy, "吴的答复")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["answered", "refused"]
    db.session.expire_all()
    complaint = db.session.get(Complaint, complaint_id)
    assert len(events(complaint, EventKind.ANSWERED)) == 1
