"""``kaimen deadlines run``: reminders before the deadline, escalation after it, notification
tasks; each reminder once — run twice in a row, or twice at the same moment on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from complaints import deadlines, officer
from complaints.models import ComplaintEvent, EventKind, Notification, Reminder, ReminderKind
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import OutboundMessage
from portal.workdays import add_working_days, local_date
from tests.complaints.officer_world import set_due


def today():
    return local_date(utcnow())


def mails(kind):
    return list(
        db.session.scalars(
            sa.select(OutboundMessage)
            .where(OutboundMessage.kind == kind)
            .order_by(OutboundMessage.id)
        )
    )


def timeline(complaint, kind):
    return list(
        db.session.scalars(
            sa.select(ComplaintEvent).where(
                ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.kind == kind
            )
        )
    )


def run(runner):
    result = runner.invoke(args=["deadlines", "run"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def test_reminder_before_the_deadline_is_sent_once(make_complaint, runner, holder, deputy):
    complaint = set_due(make_complaint(), add_working_days(today(), 1).date)
    far = set_due(make_complaint(subject="还早"), add_working_days(today(), 4).date)
    first = run(runner)
    second = run(runner)
    assert "reminders 1" in first and "already sent before 0" in first
    # The second run does not even load the reminded complaint (NOT EXISTS in the select).
    assert "reminders 0" in second and "already sent before 0" in second
    [mail] = mails("complaint_reminder")
    assert mail.recipients == ["holder@linjiang.gov.example"]
    assert mail.cc == ["deputy@linjiang.gov.example"]
    assert complaint.tracking_number in mail.subject
    assert len(timeline(complaint, EventKind.REMINDED)) == 1
    assert timeline(complaint, EventKind.REMINDED)[0].internal is True
    assert timeline(far, EventKind.REMINDED) == []


def test_the_deadline_day_itself_is_reminded(make_complaint, runner):
    complaint = set_due(make_complaint(), today())
    run(runner)
    assert len(timeline(complaint, EventKind.REMINDED)) == 1


def test_a_moved_deadline_is_reminded_again(make_complaint, runner):
    complaint = set_due(make_complaint(), add_working_days(today(), 1).date)
    run(runner)
    set_due(complaint, add_working_days(today(), 2).date)
    run(runner)
    assert len(mails("complaint_reminder")) == 2


def test_overdue_complaint_is_escalated_to_the_supervisor_once(
    make_complaint, runner, supervisor, other_supervisor
):
    complaint = set_due(make_complaint(), today() - timedelta(days=2))
    assert "escalations 1" in run(runner)
    run(runner)
    [mail] = mails("complaint_escalated")
    assert mail.recipients == ["supervisor@linjiang.gov.example"]  # not the other department's
    assert set(mail.cc) == {"holder@linjiang.gov.example", "deputy@linjiang.gov.example"}
    [event] = timeline(complaint, EventKind.ESCALATED)
    assert event.internal is False  # the complainant sees that it was escalated
    assert mails("complaint_reminder") == []


def test_without_a_supervisor_administrators_are_told(make_complaint, runner, admin):
    set_due(make_complaint(), today() - timedelta(days=1))
    run(runner)
    [mail] = mails("complaint_escalated")
    assert mail.recipients == [admin.email]


def test_answered_complaints_are_not_reminded(make_complaint, runner, holder):
    complaint = set_due(make_complaint(notification_method="portal"), today() - timedelta(days=1))
    officer.answer(complaint, holder, "答复")
    db.session.commit()
    run(runner)
    assert mails("complaint_escalated") == [] and mails("complaint_reminder") == []


def test_pending_notification_task_is_reminded_then_escalated(
    make_complaint, runner, holder, supervisor
):
    complaint = make_complaint(notification_method="phone")
    officer.answer(complaint, holder, "答复")
    db.session.commit()
    assert "notification reminders 0" in run(runner)  # 3 working days away: not yet
    soon = add_working_days(today(), 1).date
    complaint.notification_due = soon
    db.session.execute(sa.update(Notification).values(due_on=soon))
    db.session.commit()
    assert "notification reminders 1" in run(runner)
    run(runner)
    [soon] = mails("complaint_notification_reminder")
    assert soon.recipients == ["holder@linjiang.gov.example"]
    # The deadline passes without the call being recorded.
    late = today() - timedelta(days=1)
    complaint.notification_due = late
    db.session.execute(sa.update(Notification).values(due_on=late))
    db.session.commit()
    run(runner)
    run(runner)
    overdue = mails("complaint_notification_reminder")[1:]
    assert len(overdue) == 1
    assert "supervisor@linjiang.gov.example" in overdue[0].cc
    kinds = set(db.session.scalars(sa.select(Reminder.kind)))
    assert kinds == {ReminderKind.NOTIFICATION_DUE_SOON, ReminderKind.NOTIFICATION_OVERDUE}


def test_two_runs_at_once_on_postgresql_send_each_reminder_once(
    app, backend, make_complaint, supervisor
):
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers; concurrency is tested on PostgreSQL")
    for index in range(6):
        set_due(make_complaint(subject=f"投诉{index}"), add_working_days(today(), 1).date)
    for index in range(4):
        set_due(make_complaint(subject=f"逾期{index}"), today() - timedelta(days=1 + index))
    barrier = threading.Barrier(2)
    summaries, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                summaries.append(deadlines.run())
                db.session.remove()
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    assert len(mails("complaint_reminder")) == 6
    assert len(mails("complaint_escalated")) == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 10
    assert sum(s.handling_reminders + s.escalations for s in summaries) == 10
    events = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ComplaintEvent)
        .where(ComplaintEvent.kind.in_([EventKind.REMINDED, EventKind.ESCALATED]))
    )
    assert events == 10


def test_a_second_run_does_no_work_for_reminded_complaints(
    make_complaint, runner, supervisor, count_queries
):
    for index in range(3):
        set_due(make_complaint(subject=f"将到期{index}"), add_working_days(today(), 1).date)
        set_due(make_complaint(subject=f"已逾期{index}"), today() - timedelta(days=1 + index))
    summary = deadlines.run()
    assert (summary.handling_reminders, summary.escalations) == (3, 3)
    with count_queries() as counter:
        summary = deadlines.run()
    assert (summary.handling_reminders, summary.escalations, summary.already_sent) == (0, 0, 0)
    # A constant: the SMS select, the two deadline selects, the calendar and the commit —
    # however many complaints were reminded before.
    assert counter.count <= 8, counter.statements


def test_the_reminder_carries_the_complaint_and_its_files(make_complaint, runner, supervisor):
    from complaints.attachments import Incoming
    from tests.complaints.files import PDF

    complaint = make_complaint(files=[Incoming("证据.pdf", PDF)])
    set_due(complaint, add_working_days(today(), 1).date)
    late = set_due(make_complaint(files=[Incoming("逾期证据.pdf", PDF)]), today() - timedelta(1))
    run(runner)
    [reminder] = mails("complaint_reminder")
    assert "未说明理由" in reminder.body_text  # the details
    assert complaint.handling_due.isoformat() in reminder.body_text
    assert "证据.pdf" in reminder.body_text
    assert [a.filename for a in reminder.attachments] == ["证据.pdf"]
    [escalation] = mails("complaint_escalated")
    assert late.tracking_number in escalation.body_text and "未说明理由" in escalation.body_text
    assert [a.filename for a in escalation.attachments] == ["逾期证据.pdf"]
