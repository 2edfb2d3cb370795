"""Recomputing provisional deadlines when an administrator makes a year's calendar official.

A deadline that counts through a year only the rule-based fallback knows is stored *provisional*.
When ``portal.workdays.official_year_entered`` fires (inside the administrator's transaction),
every complaint that is not closed and has a provisional handling or notification deadline is
counted again from the same start with the same number of working days:

* handling — from the latest transfer to another department or reopening that restarted the
  count (their events carry ``handling_from``/``handling_days``), else from the day of receipt
  with the complaint step's limit;
* notification — from the answer (its event carries ``notification_from``/``notification_days``).

Each deadline that changes (its date, or only its provisional mark) gets a DEADLINE_RECOMPUTED
event on the timeline; "on time" records already made are re-judged against the new date.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    EventKind,
    Notification,
    NotificationStatus,
)
from complaints.routing import complaint_step_of, handling_days, notification_days
from complaints.states import add_event
from portal import audit
from portal.catalog.models import ApprovalItem
from portal.extensions import db
from portal.workdays import Deadline, add_working_days, local_date

ANSWERED_OR_LATER = {ComplaintStatus.ANSWERED, ComplaintStatus.NOTIFIED}


def on_official_year(sender, *, year: int, actor=None, **extra) -> None:
    """The ``official_year_entered`` receiver."""
    recompute_provisional(year=year, actor=actor)


def _bases(complaint_ids: list[int]) -> dict[int, dict[str, tuple[date, int]]]:
    """For each complaint, the latest (start, days) of its handling and notification counts."""
    bases: dict[int, dict[str, tuple[date, int]]] = {}
    events = db.session.execute(
        sa.select(ComplaintEvent.complaint_id, ComplaintEvent.data)
        .where(
            ComplaintEvent.complaint_id.in_(complaint_ids),
            ComplaintEvent.kind.in_(
                [EventKind.TRANSFERRED, EventKind.REOPENED, EventKind.ANSWERED]
            ),
        )
        .order_by(ComplaintEvent.id)
    )
    for complaint_id, data in events:
        data = data or {}
        for name in ("handling", "notification"):
            start, days = data.get(f"{name}_from"), data.get(f"{name}_days")
            if start and days is not None:
                bases.setdefault(complaint_id, {})[name] = (date.fromisoformat(start), int(days))
    return bases


def _changed(old: date | None, old_provisional: bool, new: Deadline) -> bool:
    return (old, old_provisional) != (new.date, new.provisional)


def _event(complaint, actor, name: str, old: date | None, new: Deadline, year: int | None):
    add_event(
        complaint,
        EventKind.DEADLINE_RECOMPUTED,
        actor=actor,
        deadline=name,
        cause="official_year",
        year=year,
        old_due=old.isoformat() if old else None,
        new_due=new.date.isoformat(),
        provisional=new.provisional,
    )


def recompute_provisional(*, year: int | None = None, actor=None) -> int:
    """Recount every open complaint's provisional deadlines; returns how many changed."""
    complaints = db.session.scalars(
        sa.select(Complaint)
        .where(
            Complaint.status != ComplaintStatus.CLOSED,
            sa.or_(
                Complaint.handling_due_provisional.is_(True),
                Complaint.notification_due_provisional.is_(True),
            ),
        )
        .order_by(Complaint.id)
        .options(so.selectinload(Complaint.item).selectinload(ApprovalItem.steps))
    ).all()
    if not complaints:
        return 0
    bases = _bases([c.id for c in complaints])
    changed = 0
    for complaint in complaints:
        step = complaint_step_of(complaint.item)
        basis = bases.get(complaint.id, {})
        if complaint.handling_due_provisional and complaint.handling_due is not None:
            start, days = basis.get("handling", (complaint.received_on, handling_days(step)))
            new = add_working_days(start, days)
            if _changed(complaint.handling_due, True, new):
                _event(complaint, actor, "handling", complaint.handling_due, new, year)
                complaint.handling_due, complaint.handling_due_provisional = new
                if complaint.answered_at is not None and complaint.status in ANSWERED_OR_LATER:
                    complaint.answered_on_time = local_date(complaint.answered_at) <= new.date
                changed += 1
        if complaint.notification_due_provisional and complaint.notification_due is not None:
            fallback = (
                local_date(complaint.answered_at) if complaint.answered_at else None,
                notification_days(step),
            )
            start, days = basis.get("notification", fallback)
            if start is None:
                continue
            new = add_working_days(start, days)
            if _changed(complaint.notification_due, True, new):
                _event(complaint, actor, "notification", complaint.notification_due, new, year)
                complaint.notification_due, complaint.notification_due_provisional = new
                if complaint.notified_at is not None:
                    complaint.notified_on_time = local_date(complaint.notified_at) <= new.date
                db.session.execute(
                    sa.update(Notification)
                    .where(
                        Notification.complaint_id == complaint.id,
                        Notification.status.in_(
                            [NotificationStatus.PENDING, NotificationStatus.FAILED]
                        ),
                    )
                    .values(due_on=new.date)
                )
                changed += 1
    if changed:
        audit.record(
            "complaint.deadlines_recomputed", "calendar_year", year, actor=actor, changed=changed
        )
    db.session.flush()
    return changed
