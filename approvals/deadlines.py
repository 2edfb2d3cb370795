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

**Recounting.** ``portal.workdays.calendar_changed`` / ``official_year_entered`` → every application
whose stored due dates may count through the changed year (or that has a provisional one) is
counted again from its facts (``approvals.clock.recompute``); each change is a
DEADLINE_RECOMPUTED event on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from approvals import clock, officer_services
from approvals.application_models import (
    Application,
    ApplicationStatus,
    ApplicationTask,
    EventKind,
    TaskStatus,
)
from approvals.states import add_event
from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.workdays import local_date
from portal.workdays.store import database_calendar

S = ApplicationStatus


@dataclass
class RunSummary:
    accepted_by_law: int = 0
    skipped: int = 0

    def text(self) -> str:
        return (
            f"accepted by law {self.accepted_by_law}, skipped (taken by another run) {self.skipped}"
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
    return summary


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
