"""The law's clock on the working-day calendar: the receipt day is not counted, 调休 days count,
holidays do not; acceptance by law; the decision clock from 受理; suspension and extension;
recomputation when the calendar changes."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from approvals import clock, deadlines, officer_services, review
from approvals.application_models import (
    ApplicationEvent,
    ApplicationStatus,
    ApplicationTask,
    EventKind,
    TaskStatus,
)
from approvals.errors import ApprovalError
from approvals.procedure_models import DocumentKind, IssuedDocument
from portal.extensions import db
from portal.workdays.models import DayKind
from portal.workdays.services import add_day
from tests.approvals.application_world import *  # noqa: F403
from tests.approvals.application_world import at, submit

S = ApplicationStatus


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 9, 30), 5, date(2026, 10, 13)),  # over National Day, 10/10 is a 调休 Saturday
        (date(2026, 10, 10), 5, date(2026, 10, 16)),  # received on the make-up Saturday
        (date(2026, 9, 18), 2, date(2026, 9, 21)),  # Sunday 9/20 is a make-up working day
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # into 2027 (rules only)
    ],
)
def test_working_days_from_the_day_after(app, start, days, due):
    assert clock.add(start, days).date == due


def test_working_days_between_counts_after_start_up_to_end(app):
    assert clock.working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert clock.working_days_between(date(2026, 10, 13), date(2026, 10, 13)) == 0


def test_acceptance_due_around_national_day(applicant, item):
    with at(date(2026, 9, 30)):
        application, _code = submit(applicant, item)
    assert application.received_on == date(2026, 9, 30)
    assert application.acceptance_due == date(2026, 10, 13)
    assert application.acceptance_due_provisional is False


def test_received_on_the_make_up_saturday(applicant, item):
    with at(date(2026, 10, 10)):
        application, _code = submit(applicant, item)
    assert application.acceptance_due == date(2026, 10, 16)


def test_past_the_known_calendar_a_due_date_is_provisional(applicant, item):
    with at(date(2026, 12, 28)):
        application, _code = submit(applicant, item)
    assert application.acceptance_due == date(2027, 1, 5)  # 12/29, 12/30, 12/31, 1/4, 1/5
    assert application.acceptance_due_provisional is True


def test_the_decision_clock_starts_at_acceptance(applicant, item, acceptor):
    with at(date(2026, 9, 28)):
        application, _code = submit(applicant, item)
        assert application.decision_due is None
    with at(date(2026, 9, 30)):
        officer_services.accept(application, acceptor)
        db.session.commit()
    assert application.accepted_on == date(2026, 9, 30)
    # Promised: 2 + 2 working days — 10/8, 10/9, 10/10 (调休 Saturday), 10/12.
    assert application.decision_due == date(2026, 10, 12)
    # Statutory: 20 working days — 10/8 … 10/16 (8), 10/19 … 10/30 (18), 11/2, 11/3.
    assert application.statutory_due == date(2026, 11, 3)
    review_task = db.session.scalar(
        sa.select(ApplicationTask).where(ApplicationTask.step_kind == "review")
    )
    assert (review_task.started_on, review_task.due_on) == (date(2026, 9, 30), date(2026, 10, 9))


def test_a_promised_limit_of_the_spec_wins(applicant, item, acceptor):
    item.online.promised_limit_days = 10
    db.session.commit()
    application, _code = submit(applicant, item)
    assert clock.promised_days(application.spec_snapshot) == 10


def test_no_notice_in_time_means_accepted_by_law_on_the_receipt_day(applicant, item, acceptor):
    with at(date(2026, 9, 30)):
        application, _code = submit(applicant, item)
    number = application.number
    # On the due day itself the officer still has time: nothing happens.
    assert deadlines.run(date(2026, 10, 13)).accepted_by_law == 0
    summary = deadlines.run(date(2026, 10, 14))
    assert summary.accepted_by_law == 1
    db.session.expire_all()
    application = db.session.scalar(
        sa.select(type(application)).where(type(application).number == number)
    )
    assert application.status == S.IN_REVIEW
    assert application.accepted_by_law is True
    assert application.accepted_on == date(2026, 9, 30)
    assert "accepted by law" in application.accepted_by_law_reason
    events = [
        e.kind
        for e in db.session.scalars(sa.select(ApplicationEvent).order_by(ApplicationEvent.id))
    ]
    assert EventKind.ACCEPTED_BY_LAW in events
    kinds = db.session.scalars(sa.select(IssuedDocument.kind)).all()
    assert DocumentKind.ACCEPTANCE in kinds
    # The decision clock counts from the receipt day.
    assert application.decision_due == clock.add(date(2026, 9, 30), 4).date
    # Idempotent: a second run does nothing.
    again = deadlines.run(date(2026, 10, 14))
    assert again.accepted_by_law == 0
    assert events.count(EventKind.ACCEPTED_BY_LAW) == 1


def test_the_job_leaves_corrected_and_accepted_applications_alone(applicant, item, acceptor):
    with at(date(2026, 12, 1)):
        first, _ = submit(applicant, item)
        second, _ = submit(applicant, item)
        officer_services.request_correction(first, acceptor, [{"field": "phone", "reason": "错"}])
        officer_services.accept(second, acceptor)
        db.session.commit()
    assert deadlines.run(date(2026, 12, 31)).accepted_by_law == 0


def test_the_run_command(applicant, item, runner):
    with at(date(2026, 9, 30)):
        submit(applicant, item)
    result = runner.invoke(args=["approvals", "run", "--today", "2026-10-14"])
    assert result.exit_code == 0, result.output
    assert "accepted by law 1" in result.output
    result = runner.invoke(args=["approvals", "run", "--today", "2026-10-14"])
    assert "accepted by law 0" in result.output


def test_suspended_working_days_are_not_counted(applicant, item, acceptor, reviewer):
    with at(date(2026, 9, 28)):
        application, _code = submit(applicant, item)
        officer_services.accept(application, acceptor)
        db.session.commit()
    assert application.decision_due == date(2026, 10, 9)  # 9/29, 9/30, 10/8, 10/9
    promised, statutory = application.decision_due, application.statutory_due
    with at(date(2026, 9, 29)):
        review.suspend(application, reviewer, "expert_review", "需组织专家评审")
        db.session.commit()
    assert application.status == S.SUSPENDED
    with at(date(2026, 10, 13)):
        days = review.resume(application, reviewer)
        db.session.commit()
    # 9/30, 10/8, 10/9, 10/10 (调休), 10/12, 10/13: six working days not counted.
    assert days == 6
    assert application.status == S.IN_REVIEW and application.suspended_days == 6
    assert application.decision_due == clock.add(promised, 6).date
    assert application.statutory_due == clock.add(statutory, 6).date
    task = db.session.scalar(
        sa.select(ApplicationTask).where(ApplicationTask.status == TaskStatus.OPEN)
    )
    assert task.extra_days == 6 and task.due_on == clock.add(date(2026, 9, 28), 2 + 6).date
    assert DocumentKind.SUSPENSION in db.session.scalars(sa.select(IssuedDocument.kind)).all()


def test_an_extension_moves_both_due_dates(applicant, item, acceptor, supervisor, reviewer):
    with at(date(2026, 11, 2)):
        application, _code = submit(applicant, item)
        officer_services.accept(application, acceptor)
        db.session.commit()
    promised, statutory = application.decision_due, application.statutory_due
    with pytest.raises(ApprovalError, match="Only a supervisor"):
        review.extend(application, reviewer, 5, "情况复杂")
    db.session.rollback()
    with pytest.raises(ApprovalError, match="at most 10 working days"):
        review.extend(application, supervisor, 11, "情况复杂")
    db.session.rollback()
    review.extend(application, supervisor, 6, "情况复杂，需现场核查")
    db.session.commit()
    assert application.decision_due == clock.add(promised, 6).date
    assert application.statutory_due == clock.add(statutory, 6).date
    with pytest.raises(ApprovalError, match="4 are left"):
        review.extend(application, supervisor, 5, "再延")
    db.session.rollback()
    assert DocumentKind.EXTENSION in db.session.scalars(sa.select(IssuedDocument.kind)).all()


def test_a_calendar_change_recomputes_stored_due_dates(applicant, item, admin):
    with at(date(2026, 12, 3)):
        application, _code = submit(applicant, item)
    assert application.acceptance_due == date(2026, 12, 10)
    add_day(date(2026, 12, 8), DayKind.HOLIDAY, "临时休假", actor=admin)
    db.session.commit()
    db.session.refresh(application)
    assert application.acceptance_due == date(2026, 12, 11)
    task = db.session.scalar(sa.select(ApplicationTask))
    assert task.due_on == date(2026, 12, 11)
    recomputed = db.session.scalars(
        sa.select(ApplicationEvent).where(ApplicationEvent.kind == EventKind.DEADLINE_RECOMPUTED)
    ).all()
    public = [e for e in recomputed if not e.internal]
    assert [(e.data["deadline"], e.data["old_due"], e.data["new_due"]) for e in public] == [
        ("acceptance_due", "2026-12-10", "2026-12-11")
    ]


def test_a_claimed_application_is_not_claimed_again(applicant, item, acceptor):
    with at(date(2026, 9, 30)):
        application, _code = submit(applicant, item)
    assert deadlines._claim(application.id, date(2026, 10, 14)) is True
    db.session.rollback()
    officer_services.accept(application, acceptor)
    db.session.commit()
    # Another run that selected it before the officer accepted finds nothing to do.
    assert deadlines._claim(application.id, date(2026, 10, 14)) is False
    db.session.rollback()


def test_reminders_and_escalations_are_sent_once(applicant, item, acceptor, supervisor):
    from approvals.procedure_models import Reminder
    from portal.mail.models import OutboundMessage

    with at(date(2026, 12, 1)):
        application, _code = submit(applicant, item)  # acceptance due 12/8
    number = application.number

    def mails(kind):
        return db.session.scalars(
            sa.select(OutboundMessage).where(OutboundMessage.kind == kind)
        ).all()

    # 12/4: due 12/8 is two working days away → the holder is reminded, once.
    assert deadlines.run(date(2026, 12, 4)).reminders == 1
    assert deadlines.run(date(2026, 12, 4)).already_sent == 0  # the key is taken: not even selected
    assert [m.recipients for m in mails("approval_reminder")] == [[acceptor.email]]
    # Once accepted, the review task runs late: escalated to the supervisors, once.
    officer_services.accept(
        db.session.scalar(sa.select(type(application)).where(type(application).number == number)),
        acceptor,
    )
    db.session.commit()
    task = db.session.scalar(
        sa.select(ApplicationTask).where(ApplicationTask.status == TaskStatus.OPEN)
    )
    later = clock.add(task.due_on, 1).date
    first = deadlines.run(later)
    assert first.escalations == 1
    second = deadlines.run(later)
    assert second.escalations == 0
    escalated = mails("approval_reminder")[-1]
    assert escalated.recipients == [supervisor.email]
    assert db.session.scalar(sa.select(sa.func.count(Reminder.id))) == 2
    kinds = db.session.scalars(sa.select(ApplicationEvent.kind)).all()
    assert kinds.count(EventKind.ESCALATED) == 1 and kinds.count(EventKind.REMINDED) == 1


def test_an_official_year_makes_provisional_due_dates_final(applicant, item, admin):
    from portal.workdays.services import mark_official

    with at(date(2026, 12, 28)):
        application, _code = submit(applicant, item)
    assert application.acceptance_due_provisional is True
    # An official year is Monday to Friday but for the days the administrator enters.
    add_day(date(2027, 1, 1), DayKind.HOLIDAY, "元旦", actor=admin)
    add_day(date(2027, 1, 4), DayKind.HOLIDAY, "元旦调整", actor=admin)
    mark_official(2027, "国务院办公厅关于2027年部分节假日安排的通知", actor=admin)
    db.session.commit()
    db.session.refresh(application)
    assert application.acceptance_due == date(2027, 1, 6)
    assert application.acceptance_due_provisional is False
    last = db.session.scalars(
        sa.select(ApplicationEvent)
        .where(ApplicationEvent.kind == EventKind.DEADLINE_RECOMPUTED)
        .order_by(ApplicationEvent.id)
    ).all()[-1]
    assert last.data["provisional"] is False
