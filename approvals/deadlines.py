"""``kaimen approvals run``: what the clock does by itself, and recounting when the calendar changes.

**Accepted by law.** An application still waiting for acceptance after its acceptance due date
(no acceptance, correction notice or refusal within the limit) counts as accepted on the day its
materials were complete (行政许可法第三十二条). One run, for "today" in Asia/Shanghai, accepts every
such application and records why, each in its own transaction.

Safe to run twice and on several hosts at once: each application is *claimed* before anything is
done — on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED`` (another host busy with the row skips
it), then everywhere with a conditional ``UPDATE … WHERE status = 'submitted' AND acceptance_due <
today`` whose row count says whether this run still has work to do. A second run finds the status
changed and does nothing.

**Reminders and escalations.** Every open task of a running application (not suspended: its clock
stands) whose due date is at most ``DUE_SOON_DAYS`` working days away is reminded to its position's
holder (cc deputy); one past its due date is escalated to the department's supervisors
(administrators when it has none), cc holder and deputy. Each is sent once: its key (task, kind,
due date) is the unique constraint of ``application_reminders``, inserted with
``INSERT … ON CONFLICT DO NOTHING RETURNING`` before the mail is queued in the same transaction;
a second run — or one on another host — finds the key taken and sends nothing. A due date that
moves (suspension, recomputation) is a new key, reminded once more.

**Recounting.** ``portal.workdays.calendar_changed`` / ``official_year_entered`` → every application
whose stored due dates may count through the changed year (or that has a provisional one) is
counted again from its facts (``approvals.clock.recompute``); each change is a
DEADLINE_RECOMPUTED event on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from approvals import clock, notices, officer_services
from approvals import snapshot as spec
from approvals.application_models import (
    Application,
    ApplicationStatus,
    ApplicationTask,
    EventKind,
    TaskStatus,
)
from approvals.procedure_models import Reminder, ReminderKind
from approvals.states import add_event
from disclosure.directory.models import Position
from disclosure.directory.recipients import position_addresses, supervisors_or_administrators
from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.mail.outbox import queue_templated
from portal.workdays import add_working_days, local_date
from portal.workdays.store import database_calendar

S = ApplicationStatus


DUE_SOON_DAYS = 2
REMINDED_STATUSES = [S.SUBMITTED, S.ACCEPTED, S.IN_REVIEW, S.DECIDED]


@dataclass
class RunSummary:
    accepted_by_law: int = 0
    skipped: int = 0
    reminders: int = 0
    escalations: int = 0
    already_sent: int = 0
    nobody_to_tell: int = 0

    def text(self) -> str:
        return (
            f"accepted by law {self.accepted_by_law}, skipped (taken by another run) "
            f"{self.skipped}; reminders {self.reminders}, escalations {self.escalations}, "
            f"already sent before {self.already_sent}, nobody to tell {self.nobody_to_tell}"
        )


def _claim(application_id: int, today: date) -> bool:
    """Take the application for this run, or learn that another run has (or had) it."""
    if db.engine.dialect.name == "postgresql":
        locked = db.session.scalar(
            sa.select(Application.id)
            .where(Application.id == application_id)
            .with_for_update(skip_locked=True)
        )
        if locked is None:
            return False
    result = db.session.execute(
        sa.update(Application)
        .where(
            Application.id == application_id,
            Application.status == S.SUBMITTED,
            Application.acceptance_due < today,
        )
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def run(today: date | None = None) -> RunSummary:
    """One pass; commits per application."""
    today = today or local_date(utcnow())
    summary = RunSummary()
    due = db.session.scalars(
        sa.select(Application.id)
        .where(Application.status == S.SUBMITTED, Application.acceptance_due < today)
        .order_by(Application.acceptance_due, Application.id)
    ).all()
    for application_id in due:
        if not _claim(application_id, today):
            summary.skipped += 1
            db.session.rollback()
            continue
        application = db.session.get(Application, application_id, populate_existing=True)
        officer_services.accept_by_law(application)
        summary.accepted_by_law += 1
        db.session.commit()
    remind(today, summary)
    return summary


# --- reminders and escalations -------------------------------------------------------------------


def _reminded(kind_expression):
    table = Reminder.__table__
    return (
        sa.select(table.c.id)
        .where(
            table.c.task_id == ApplicationTask.id,
            table.c.kind == kind_expression,
            table.c.due_on == ApplicationTask.due_on,
        )
        .exists()
    )


def remind(today: date, summary: RunSummary) -> None:
    soon = add_working_days(today, DUE_SOON_DAYS).date
    kind = sa.case(
        (ApplicationTask.due_on < today, ReminderKind.OVERDUE.value),
        else_=ReminderKind.DUE_SOON.value,
    )
    rows = db.session.execute(
        sa.select(ApplicationTask.id, ApplicationTask.due_on)
        .join(Application, Application.id == ApplicationTask.application_id)
        .where(
            ApplicationTask.status == TaskStatus.OPEN,
            ApplicationTask.due_on.is_not(None),
            ApplicationTask.due_on <= soon,
            Application.status.in_(REMINDED_STATUSES),
            ~_reminded(kind),
        )
        .order_by(ApplicationTask.due_on, ApplicationTask.id)
    ).all()
    for task_id, due_on in rows:
        overdue = due_on < today
        _remind(
            task_id, ReminderKind.OVERDUE if overdue else ReminderKind.DUE_SOON, due_on, summary
        )


def _claim_reminder(task_id: int, kind: ReminderKind, due_on: date) -> int | None:
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[db.engine.dialect.name]
    stmt = (
        insert(Reminder)
        .values(task_id=task_id, kind=kind.value, due_on=due_on, sent_at=utcnow(), recipients=[])
        .on_conflict_do_nothing(index_elements=["task_id", "kind", "due_on"])
        .returning(Reminder.id)
    )
    return db.session.execute(stmt).scalar()


def _remind(task_id: int, kind: ReminderKind, due_on: date, summary: RunSummary) -> None:
    """Claim the key first; only the run that got it loads the task and mails."""
    reminder_id = _claim_reminder(task_id, kind, due_on)
    if reminder_id is None:
        summary.already_sent += 1
        db.session.commit()
        return
    task = db.session.scalar(
        sa.select(ApplicationTask)
        .where(ApplicationTask.id == task_id)
        .options(
            so.joinedload(ApplicationTask.application),
            so.joinedload(ApplicationTask.position).joinedload(Position.holder),
            so.joinedload(ApplicationTask.position).joinedload(Position.deputy),
        )
    )
    application = task.application
    to_handlers, cc_handlers = position_addresses(task.position)
    handlers = to_handlers + cc_handlers
    if kind == ReminderKind.OVERDUE:
        to = supervisors_or_administrators(application.department_id)
        cc = [a for a in handlers if a not in to]
    else:
        to, cc = handlers[:1], handlers[1:]
    if not to:
        summary.nobody_to_tell += 1
        db.session.rollback()  # gives the key back: next run tries again
        return
    db.session.execute(
        sa.update(Reminder).where(Reminder.id == reminder_id).values(recipients=to + cc)
    )
    queue_templated(
        "approval_reminder",
        to=to,
        cc=cc,
        locale=current_app.config["BABEL_DEFAULT_LOCALE"],
        application=application,
        task=task,
        position=task.position,
        overdue=kind == ReminderKind.OVERDUE,
        step_label=spec.step_label,
        link=notices.application_link(application),
    )
    if kind == ReminderKind.OVERDUE:
        add_event(
            application,
            EventKind.ESCALATED,
            internal=True,
            step_kind=task.step_kind,
            task_id=task.id,
            due_on=due_on.isoformat(),
        )
        audit.record("application.escalated", "application", application.id, task_id=task.id)
        summary.escalations += 1
    else:
        add_event(
            application,
            EventKind.REMINDED,
            internal=True,
            step_kind=task.step_kind,
            task_id=task.id,
            due_on=due_on.isoformat(),
        )
        summary.reminders += 1
    db.session.commit()


# --- the calendar changed ----------------------------------------------------------------------

RUNNING_OR_LATER = [s for s in ApplicationStatus if s != S.DRAFT]


def on_calendar_changed(sender, *, year: int, actor=None, **extra) -> None:
    first, last = date(year, 1, 1), date(year, 12, 31)
    recompute(
        sa.and_(
            Application.received_on <= last,
            sa.or_(
                Application.acceptance_due >= first,
                Application.decision_due >= first,
                Application.statutory_due >= first,
                Application.delivery_due >= first,
            ),
        ),
        year=year,
        actor=actor,
        cause="calendar_changed",
    )


def on_official_year(sender, *, year: int, actor=None, **extra) -> None:
    recompute(
        sa.or_(
            Application.acceptance_due_provisional.is_(True),
            Application.decision_due_provisional.is_(True),
            Application.statutory_due_provisional.is_(True),
            Application.delivery_due_provisional.is_(True),
            Application.id.in_(
                sa.select(ApplicationTask.application_id).where(
                    ApplicationTask.status == TaskStatus.OPEN,
                    ApplicationTask.due_provisional.is_(True),
                )
            ),
        ),
        year=year,
        actor=actor,
        cause="official_year",
    )


def recompute(condition, *, year: int | None, actor, cause: str) -> int:
    """Count the matching applications' due dates again; returns how many dates changed."""
    applications = db.session.scalars(
        sa.select(Application)
        .where(condition, Application.status.in_(RUNNING_OR_LATER))
        .order_by(Application.id)
    ).all()
    if not applications:
        return 0
    tasks: dict[int, list[ApplicationTask]] = {}
    for task in db.session.scalars(
        sa.select(ApplicationTask).where(
            ApplicationTask.application_id.in_([a.id for a in applications]),
            ApplicationTask.status == TaskStatus.OPEN,
        )
    ):
        tasks.setdefault(task.application_id, []).append(task)
    calendar = database_calendar()
    changed = 0
    for application in applications:
        for change in clock.recompute(application, tasks.get(application.id, []), calendar):
            add_event(
                application,
                EventKind.DEADLINE_RECOMPUTED,
                actor=actor,
                internal=change["deadline"].startswith("task:"),
                cause=cause,
                year=year,
                **change,
            )
            changed += 1
    if changed:
        audit.record(
            "application.deadlines_recomputed",
            "calendar_year",
            year,
            actor=actor,
            changed=changed,
            cause=cause,
        )
    db.session.flush()
    return changed
